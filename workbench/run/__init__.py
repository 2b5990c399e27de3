"""Running the workbench: the parameter file (:mod:`.params`), the pipeline of stages and the
run folder (:mod:`.pipeline`), the command line (:mod:`.cli`), the dashboard and its server
(:mod:`.dashboard`, :mod:`.serve`) and the notebook pairs (:mod:`.pairs`). The top floor:
nothing below imports it."""
