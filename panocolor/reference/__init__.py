"""Reference stage: for every segment of the gray photo, where its colour comes from.

Sources register in :data:`REFERENCE_SOURCES` (one file each) and are asked in
priority order by :func:`plan_references`: a photo chosen for one segment
(``segments``), the user's per-class photos (``classes``), same-class regions of
the one reference photo (``photo``), the most similar same-class segment of a
gallery (``gallery``), the most alike region of the reference (``photo`` by
appearance), and finally the whole reference (``whole``).
"""

from panocolor.reference.base import (
    REFERENCE_SOURCES,
    Proposal,
    ReferenceChoice,
    ReferenceImage,
    ReferencePlan,
    ReferenceSource,
)
from panocolor.reference.classes import ClassReferences, SegmentReferences
from panocolor.reference.gallery import GalleryIndex, GallerySource
from panocolor.reference.photo import ReferencePhoto, SegmentedReference
from panocolor.reference.planner import plan_references
from panocolor.reference.whole import WholeReference

__all__ = [
    "REFERENCE_SOURCES",
    "ClassReferences",
    "GalleryIndex",
    "GallerySource",
    "Proposal",
    "ReferenceChoice",
    "ReferenceImage",
    "ReferencePhoto",
    "ReferencePlan",
    "ReferenceSource",
    "SegmentReferences",
    "SegmentedReference",
    "WholeReference",
    "plan_references",
]
