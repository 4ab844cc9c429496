"""A gallery folder of colour photos, indexed once and searched per segment.

Every photo is segmented and each classed segment is embedded (MobileNet, on its
L* so gray targets compare fairly). The index lives in a cache folder, one small
``.npz`` per photo keyed by its path, size and modification time: a second run
reuses it, and a changed, added or removed photo updates only its own entry.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from platformdirs import user_cache_dir

from panocolor.errors import PanocolorError
from panocolor.io import IMAGE_SUFFIXES
from panocolor.reference.base import (
    ImageKey,
    Proposal,
    ReferenceChoice,
    ReferenceImage,
    is_classed,
    shrink_color,
)
from panocolor.reference.describe import Embedder
from panocolor.reference.photo import REFERENCE_PIXELS
from panocolor.segment.base import Segmenter
from panocolor.segment.segmentation import Segment, Segmentation

log = logging.getLogger(__name__)

_INDEX_VERSION = 2


@dataclass(frozen=True, eq=False)
class GalleryEntry:
    """The index of one gallery photo.

    Attributes
    ----------
    path : Path
        The photo.
    label_map : (h, w) int32 ndarray
        Its segmentation at the reference working size.
    segment_ids, labels : tuple
        Its classed segments.
    embeddings : (n, 1024) float32 ndarray
        One unit-length embedding per classed segment.
    photo_embedding : (1024,) float32 ndarray
        Embedding of the whole photo.
    """

    path: Path
    label_map: np.ndarray
    segment_ids: tuple[int, ...]
    labels: tuple[str, ...]
    embeddings: np.ndarray
    photo_embedding: np.ndarray


@dataclass
class IndexReport:
    """What an index update did (file counts)."""

    reused: int = 0
    indexed: int = 0
    removed: int = 0
    skipped: list[str] = field(default_factory=list)


def default_cache_dir(folder: Path) -> Path:
    digest = hashlib.sha1(str(folder.resolve()).encode()).hexdigest()[:16]
    return Path(user_cache_dir("panocolor")) / "galleries" / digest


class GalleryIndex:
    """Build, update and search the index of a gallery folder.

    Parameters
    ----------
    folder : path-like
        The gallery: colour photos, searched recursively.
    segmenter : Segmenter
        Segments every photo (classes are what makes a gallery useful).
    embedder : Embedder
        Appearance embedding of segments.
    cache_dir : path-like, optional
        Where the index is kept; default: a per-gallery folder in the user cache.
    """

    def __init__(
        self,
        folder: str | os.PathLike[str],
        segmenter: Segmenter,
        embedder: Embedder,
        cache_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise PanocolorError(f"gallery {self.folder} is not a folder")
        self.segmenter = segmenter
        self.embedder = embedder
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir(self.folder)
        self.entries: list[GalleryEntry] = []
        self.report = self.update()

    def _photos(self) -> list[Path]:
        return sorted(
            p for p in self.folder.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
        )

    def _cache_file(self, photo: Path) -> Path:
        key = hashlib.sha1(photo.relative_to(self.folder).as_posix().encode()).hexdigest()
        return self.cache_dir / f"{key}.npz"

    def update(self) -> IndexReport:
        """Bring the index in line with the folder; return what was reused and redone."""
        from panocolor.io import read_color

        report = IndexReport()
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        wanted = set()
        entries = []
        for photo in self._photos():
            cache_file = self._cache_file(photo)
            wanted.add(cache_file.name)
            stat = photo.stat()
            stamp = f"{_INDEX_VERSION}:{stat.st_size}:{stat.st_mtime_ns}"
            entry = _load_entry(cache_file, photo, stamp)
            if entry is not None:
                report.reused += 1
            else:
                try:
                    image = shrink_color(read_color(photo), REFERENCE_PIXELS)
                except PanocolorError as error:
                    report.skipped.append(f"{photo}: {error}")
                    continue
                entry = self._index_photo(photo, image.lab[..., 0])
                _save_entry(cache_file, entry, stamp)
                report.indexed += 1
            entries.append(entry)
        for stale in self.cache_dir.glob("*.npz"):
            if stale.name not in wanted:
                stale.unlink()
                report.removed += 1
        self.entries = entries
        log.info("gallery %s: %s", self.folder, report)
        return report

    def _index_photo(self, photo: Path, lightness: np.ndarray) -> GalleryEntry:
        segmentation = self.segmenter(lightness)
        classed = [s for s in segmentation.segments if is_classed(s)]
        embeddings = (
            np.stack([self.embedder(lightness, segmentation.ids == s.id) for s in classed])
            if classed
            else np.zeros((0, 1024), np.float32)
        )
        return GalleryEntry(
            photo,
            segmentation.ids,
            tuple(s.id for s in classed),
            tuple(s.label for s in classed),
            embeddings.astype(np.float32),
            self.embedder(lightness),
        )

    def search(self, label: str, embedding: np.ndarray) -> tuple[GalleryEntry, int, float] | None:
        """The gallery segment of class ``label`` most similar to ``embedding``.

        Returns
        -------
        (entry, segment_id, cosine similarity) or None when no photo shows ``label``.
        """
        best: tuple[GalleryEntry, int, float] | None = None
        for entry in self.entries:
            for k, entry_label in enumerate(entry.labels):
                if entry_label != label:
                    continue
                score = float(entry.embeddings[k] @ embedding)
                if best is None or score > best[2]:
                    best = (entry, entry.segment_ids[k], score)
        return best

    def most_similar_photo(self, embedding: np.ndarray) -> GalleryEntry | None:
        """The gallery photo whose whole-photo embedding is closest to ``embedding``."""
        if not self.entries:
            return None
        return max(self.entries, key=lambda entry: float(entry.photo_embedding @ embedding))


def _load_entry(cache_file: Path, photo: Path, stamp: str) -> GalleryEntry | None:
    if not cache_file.is_file():
        return None
    try:
        with np.load(cache_file) as data:
            if str(data["stamp"]) != stamp:
                return None
            meta = json.loads(str(data["meta"]))
            return GalleryEntry(
                photo,
                data["label_map"],
                tuple(meta["segment_ids"]),
                tuple(meta["labels"]),
                data["embeddings"],
                data["photo_embedding"],
            )
    except (OSError, ValueError, KeyError):  # a damaged cache entry is simply redone
        return None


def _save_entry(cache_file: Path, entry: GalleryEntry, stamp: str) -> None:
    meta = json.dumps({"segment_ids": list(entry.segment_ids), "labels": list(entry.labels)})
    handle, temp = tempfile.mkstemp(dir=cache_file.parent, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez_compressed(
                file,
                stamp=stamp,
                meta=meta,
                label_map=entry.label_map,
                embeddings=entry.embeddings,
                photo_embedding=entry.photo_embedding,
            )
        os.replace(temp, cache_file)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


@dataclass(eq=False)
class GallerySource:
    """Serve each classed segment from the most similar same-class gallery segment."""

    index: GalleryIndex

    def propose(
        self, lightness: np.ndarray, segmentation: Segmentation, pending: Sequence[Segment]
    ) -> Proposal:
        from panocolor.io import read_color

        proposal = Proposal()
        loaded: dict[Path, ReferenceImage] = {}
        for segment in pending:
            if not is_classed(segment):
                continue
            embedding = self.index.embedder(lightness, segmentation.ids == segment.id)
            found = self.index.search(segment.label, embedding)
            if found is None:
                continue
            entry, region_id, score = found
            key = ImageKey.of_gallery(entry.path)
            if entry.path not in loaded:
                image = shrink_color(read_color(entry.path), REFERENCE_PIXELS)
                loaded[entry.path] = ReferenceImage(key, image, entry.label_map)
            proposal.choices.append(
                ReferenceChoice(
                    segment.id,
                    segment.label,
                    key,
                    (region_id,),
                    "gallery",
                    round(score, 4),
                )
            )
        proposal.images.extend(loaded.values())
        return proposal
