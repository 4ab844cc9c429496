"""Evaluation stage: score colorization methods against the true colours of photos.

``plan_samples`` lists the images of a pairs CSV or folder under a protocol
(``self`` or ``pairs``), ``run_evaluation`` / ``iter_evaluation`` run the methods
(the floors ``gray`` and ``reinhard`` always included) and score them with the
functions of :mod:`panocolor.evaluate.metrics`, and ``write_report`` writes
``results.csv``, ``summary.md`` and ``contact_sheet.png``.

Names are imported on first use, so importing one submodule stays light.
"""

from importlib import import_module
from typing import Any

_EXPORTS = {
    "panocolor.evaluate.metrics": (
        "colourfulness",
        "colourfulness_ratio",
        "mean_ciede2000",
        "p99_lightness_error",
        "psnr",
        "ssim",
    ),
    "panocolor.evaluate.protocols": (
        "PROTOCOLS",
        "Sample",
        "SampleSpec",
        "load_sample",
        "plan_samples",
        "self_reference",
    ),
    "panocolor.evaluate.report": (
        "MethodSummary",
        "summarize",
        "summary_markdown",
        "summary_table",
        "write_report",
    ),
    "panocolor.evaluate.sheet": ("ContactSheet",),
    "panocolor.evaluate.methods": ("FLOORS", "METHODS", "Method", "build_method", "method_names"),
    "panocolor.evaluate.scoring": ("Result",),
    "panocolor.evaluate.runner": ("SampleOutcome", "iter_evaluation", "run_evaluation"),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    if name in _MODULE_OF:
        return getattr(import_module(_MODULE_OF[name]), name)
    raise AttributeError(f"module 'panocolor.evaluate' has no attribute {name!r}")
