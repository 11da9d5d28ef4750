from keepline.cli import main

main()
