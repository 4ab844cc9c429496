"""Reference stage: for every segment of the gray photo, where its colour comes from.

Sources (one file each, all following :class:`ReferenceSource`) are asked in priority
order by :func:`plan_references`: a photo chosen for one segment
(:class:`SegmentReferences`), the user's per-class photos (:class:`ClassReferences`),
same-class regions of the one reference photo (:class:`ReferencePhoto`), the most
similar same-class segment of a gallery (:class:`GallerySource`), the most alike
region of the reference (:class:`ReferencePhoto` by appearance), and finally the whole
reference (:class:`WholeReference`); :func:`reference_sources` builds them in that
order. Sources are built from images and segmenters,
not from names and options, so they have no registry.
"""

from panocolor.reference.base import (
    ImageKey,
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
from panocolor.reference.policy import reference_sources
from panocolor.reference.whole import WholeReference

__all__ = [
    "ClassReferences",
    "GalleryIndex",
    "GallerySource",
    "ImageKey",
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
    "reference_sources",
]
