"""Link the wells of a results file to tubes: by the sample id the file gives, by the
sample's description (LightCycler 96: a UUID id, the readable name in the description),
or through a plate map by well or by the lab's sample name.

The user may state how; otherwise each way that applies is tried in that order and the
first that links every sample well to a known tube is used. When none does, the error
lists, for each way tried, the wells left unlinked (up to ``MAX_LISTED``).

Pure: readings, a plate map and the set of known tube ids in; no database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence, Set
from enum import StrEnum

from keepline.errors import InputError
from keepline.screening.files import MAX_LISTED, PlateMap, Reading


class MatchBy(StrEnum):
    sample_id = "sample-id"  # the file's sample id is the tube id
    description = "description"  # the file's sample description is the tube id
    name = "name"  # the plate map's sample name column → tube id
    well = "well"  # the plate map's well column → tube id


Linked = list[tuple[Reading, str]]


def _ways(plate: PlateMap | None) -> list[MatchBy]:
    if plate is None:
        return [MatchBy.sample_id, MatchBy.description]
    ways = []
    if plate.has_names:
        ways.append(MatchBy.name)
    ways.append(MatchBy.well)
    return ways


def _linker(by: MatchBy, plate: PlateMap | None) -> Callable[[Reading], str | None]:
    if by is MatchBy.sample_id:
        return lambda r: r.sample_id or None
    if by is MatchBy.description:
        return lambda r: r.name or None
    if plate is None:
        raise InputError([f"matching by {by.value} needs a plate map (--plate-map)"])
    if by is MatchBy.well:
        if not plate.has_wells and not plate.entries:
            raise InputError([f"{plate.filename}: the plate map has no well column"])
        wells = {e.well: e.sample_id for e in plate.entries}
        return lambda r: wells.get(r.well)
    if not plate.has_names:
        raise InputError([f"{plate.filename}: the plate map has no sample name column"])
    names = {e.sample_name: e.sample_id for e in plate.entries if e.sample_name}
    return lambda r: names.get(r.sample_id) or names.get(r.name)


def _unlinked(
    readings: Sequence[Reading], link: Callable[[Reading], str | None], known: Set[str]
) -> tuple[Linked, list[Reading]]:
    linked: Linked = []
    missing: list[Reading] = []
    for r in readings:
        tube = link(r)
        if tube is not None and tube in known:
            linked.append((r, tube))
        else:
            missing.append(r)
    return linked, missing


def _describe(by: MatchBy, missing: Sequence[Reading]) -> str:
    seen: dict[str, None] = {}
    for r in missing:
        label = r.well or "?"
        if by in (MatchBy.sample_id, MatchBy.name):
            label = f"{label} '{r.sample_id}'"
        elif by is MatchBy.description:
            label = f"{label} '{r.name}'" if r.name else f"{label} (no description)"
        seen.setdefault(label, None)
    labels = list(seen)
    shown = ", ".join(labels[:MAX_LISTED])
    more = f" and {len(labels) - MAX_LISTED} more" if len(labels) > MAX_LISTED else ""
    return f"by {by.value}, {len(labels)} wells unlinked: {shown}{more}"


def link_wells(
    filename: str,
    readings: Sequence[Reading],
    plate: PlateMap | None,
    known: Set[str],
    by: MatchBy | None = None,
) -> tuple[MatchBy, Linked]:
    """Each sample reading with its tube id, and the way they were linked.

    ``known`` holds the enterprise's tube ids among those the file and the plate map
    name. A plate map naming a tube not in ``known`` is an error of the map.
    """
    if plate is not None:
        strangers = [e for e in plate.entries if e.sample_id not in known]
        if strangers:
            raise InputError(
                [
                    f"{plate.filename} row {e.row}, field sample_id: unknown tube '{e.sample_id}'"
                    for e in strangers
                ]
            )
    if by is not None:
        linked, missing = _unlinked(readings, _linker(by, plate), known)
        if missing:
            if by is MatchBy.sample_id:
                raise InputError([f"{r.place}: unknown sample '{r.sample_id}'" for r in missing])
            raise InputError([f"{filename}: {_describe(by, missing)}"])
        return by, linked
    tried = []
    for way in _ways(plate):
        linked, missing = _unlinked(readings, _linker(way, plate), known)
        if not missing:
            return way, linked
        tried.append((way, missing))
    if plate is None and not any(r.name for r in readings):
        # The file names samples by id only: say which, as a file without a plate map
        # always has (one line per well), and how to link them.
        _, missing = tried[0]
        hint = [f"{filename}: link its wells to tubes with a plate map (well → tube id)"]
        raise InputError(
            [f"{r.place}: unknown sample '{r.sample_id}'" for r in missing]
            + (hint if any(r.well for r in readings) else [])
        )
    raise InputError(
        [f"{filename}: no way of linking wells to tubes fits every sample well"]
        + [f"{filename}: {_describe(way, missing)}" for way, missing in tried]
    )
