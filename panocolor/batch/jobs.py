"""What a batch has to do: the list of jobs and where each output goes.

A batch reads either a folder (searched recursively; each output keeps the input's
path relative to that folder) or a CSV file with an ``input`` column and optional
``reference`` and ``hints`` columns (relative paths are taken from the CSV's folder; a
row's reference replaces the batch's ``-r``). A ``hints`` cell is either a JSON list
of point hints (``["120,45=#1f3a93", {"x": 10, "y": 20, "colour": "#c00000"}]``, see
:func:`~panocolor.hints.parse_hint_list`) or the path of a scribble PNG. Outputs keep
the input's extension.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path

from panocolor.errors import PanocolorError
from panocolor.hints import HintError, parse_hint_list
from panocolor.io import IMAGE_SUFFIXES

MANIFEST_NAME = "panocolor-manifest.jsonl"
"""Name of the manifest in the output folder: one JSON record per finished output."""

FAILURES_NAME = "panocolor-failures.csv"
"""Name of the failures file in the output folder: ``input,output,reason`` of the last run."""


@dataclass(frozen=True)
class Job:
    """One photo to colorize.

    Attributes
    ----------
    input : str
        The gray photo (absolute path).
    output : str
        The output file (absolute path).
    key : str
        ``output`` relative to the output folder: the job's name in the manifest.
    reference : str or None
        This job's own colour reference (absolute path), else the batch's.
    hints : str or None
        Point hints as a JSON list (:func:`~panocolor.hints.parse_hint_list`).
    scribbles : str or None
        A scribble image (absolute path).
    replace : bool
        Replace ``output`` even without ``--overwrite``: it was left unrecorded or
        unreadable by an interrupted run of the same batch.
    """

    input: str
    output: str
    key: str
    reference: str | None = None
    hints: str | None = None
    scribbles: str | None = None
    replace: bool = False

    def to_dict(self) -> dict[str, str | bool | None]:
        return asdict(self)


def _is_image(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES and not path.name.startswith(".")


def _folder_jobs(folder: Path, out_dir: Path) -> list[Job]:
    out_dir = out_dir.resolve()
    # An output folder inside the input folder holds results, not inputs. (The other
    # way round, an input folder inside the output folder, its photos are inputs.)
    outputs_inside = out_dir.is_relative_to(folder.resolve())
    jobs = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or not _is_image(path):
            continue
        if outputs_inside and path.resolve().is_relative_to(out_dir):
            continue
        key = path.relative_to(folder).as_posix()
        jobs.append(Job(str(path.resolve()), str(out_dir / key), key))
    return jobs


def _list_jobs(listing: Path, out_dir: Path) -> list[Job]:
    base = listing.parent.resolve()
    out_dir = out_dir.resolve()
    try:
        with listing.open(newline="", encoding="utf-8-sig") as file:
            reader = csv.DictReader(file)
            columns = [name.strip() for name in reader.fieldnames or []]
            if "input" not in columns:
                raise PanocolorError(
                    f"{listing} has no 'input' column (found: {', '.join(columns) or 'nothing'}); "
                    "give a header line 'input' or 'input,reference,hints'"
                )
            rows = [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise PanocolorError(f"cannot read {listing}: {error}") from None
    jobs = []
    for line, row in enumerate(rows, start=2):
        if not row.get("input"):
            continue
        source = (base / row["input"]).resolve()
        key = source.relative_to(base).as_posix() if source.is_relative_to(base) else source.name
        reference = str((base / row["reference"]).resolve()) if row.get("reference") else None
        hints, scribbles = _hints_cell(row.get("hints", ""), base, f"{listing}, line {line}")
        jobs.append(Job(str(source), str(out_dir / key), key, reference, hints, scribbles))
    return jobs


def _hints_cell(text: str, base: Path, where: str) -> tuple[str | None, str | None]:
    """A ``hints`` cell -> (JSON list of hints, scribble path); checked here, before any work.

    Raises
    ------
    PanocolorError
        The JSON list does not hold hints (positions are checked per photo, later).
    """
    if not text:
        return None, None
    if text.startswith("["):
        try:
            parse_hint_list(text)
        except HintError as error:
            raise PanocolorError(f"{where}: hints column: {error}") from None
        return text, None
    return None, str((base / text).resolve())


def list_jobs(source: Path, out_dir: Path) -> list[Job]:
    """The jobs of a batch, in a stable order.

    Parameters
    ----------
    source : Path
        A folder of photos (searched recursively) or a ``.csv`` list.
    out_dir : Path
        The output folder; output = ``out_dir / <path relative to the folder or CSV>``.

    Returns
    -------
    jobs : list of Job

    Raises
    ------
    PanocolorError
        The source is missing or unreadable, or two inputs would share an output.
    """
    if source.is_dir():
        jobs = _folder_jobs(source, out_dir)
    elif source.is_file() and source.suffix.lower() == ".csv":
        jobs = _list_jobs(source, out_dir)
    elif source.exists():
        raise PanocolorError(f"{source} is neither a folder nor a .csv list of photos")
    else:
        raise PanocolorError(f"{source} does not exist")
    seen: dict[str, str] = {}
    for job in jobs:
        if job.output in seen:
            raise PanocolorError(
                f"{seen[job.output]} and {job.input} would both be written to {job.output}"
            )
        if job.output == job.input:
            raise PanocolorError(f"output {job.output} is the input itself; choose another -o")
        seen[job.output] = job.input
    return jobs
