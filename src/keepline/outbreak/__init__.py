"""In-plant outbreak and screening simulation.

``engine`` is the pure, seeded numpy core; ``population`` turns a plant file into
agents and mixing groups; ``policy`` reads screening/containment policies (YAML);
``results`` summarises runs and hands the planner a :class:`keepline.workforce.Workforce`;
``cli`` is the ``keepline outbreak`` command.
"""
