"""Background jobs: long work (an assessment, a re-plan) run by the server beside the
requests, its progress in the database so any page or browser sees it."""
