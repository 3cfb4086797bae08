"""ncpm: the Python around the National Crime and Policing Measures dbt project.

One command, ``ncpm`` (see :mod:`ncpm.cli`), over modules that hold the logic: landing
published files (:mod:`ncpm.land`), the quarterly publication (:mod:`ncpm.publish`), the
figure audit trail (:mod:`ncpm.trace`), synthetic samples (:mod:`ncpm.synth`), checks,
code generation from the registry and the benchmark. Paths and environment variables are
read in one place, :mod:`ncpm.settings`; periods are parsed in one place, :mod:`ncpm.periods`.
"""

__version__ = "0.2.0"
