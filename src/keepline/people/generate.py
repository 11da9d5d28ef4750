"""A plausible, entirely fake roster for a plant model: one worker per planned head.

For tests, the demo and the benchmark. Names are drawn from common Chinese surnames and
given-name characters; ID numbers are well-formed (the plant's region code, a birth date
for an age of 19-55, a valid GB 11643 check character) but belong to no one; phone
numbers have a mainland mobile prefix and random digits.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np

from keepline.people import idnumber
from keepline.plant.schema import PlantFile

# The most common surnames (the top of the 2020 household-registration ranking) and a
# handful of frequent given-name characters.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏建飞斌宇浩凯健俊帆帅旭宁"
    "欣佳琳晨雪婷子涵梓轩然一鸣思雨桐"
)
MOBILE_PREFIXES = tuple(
    [
        "130",
        "131",
        "132",
        "135",
        "136",
        "137",
        "138",
        "139",
        "150",
        "151",
        "152",
        "155",
        "156",
        "158",
        "159",
        "166",
        "177",
        "180",
        "181",
        "186",
        "187",
        "188",
        "189",
        "198",
        "199",
    ]
)


def employee_prefix(enterprise_id: str) -> str:
    """'xuzhou-qpcr' → 'XQ': the initials of the id's parts."""
    parts = [p for p in re.split(r"[-_.]", enterprise_id) if p]
    return "".join(p[0] for p in parts).upper()[:4] or "W"


def roster_rows(plant: PlantFile, seed: int = 1) -> list[dict[str, str]]:
    """One row per planned head of every team, in team order, as roster-file text."""
    rng = np.random.default_rng(seed)
    prefix = employee_prefix(plant.enterprise.id)
    region = plant.enterprise.region_code
    ref = plant.horizon_start
    rows: list[dict[str, str]] = []
    serial = 0
    used_ids: set[str] = set()
    for team in plant.teams:
        for _ in range(team.headcount):
            serial += 1
            surname = SURNAMES[rng.integers(len(SURNAMES))]
            given = "".join(GIVEN[rng.integers(len(GIVEN))] for _ in range(rng.integers(1, 3)))
            age_days = int(rng.integers(19 * 365, 55 * 365))
            born = ref - dt.timedelta(days=age_days)
            while True:
                number = idnumber.make(region, born, int(rng.integers(1, 1000)))
                if number not in used_ids:
                    used_ids.add(number)
                    break
            phone = MOBILE_PREFIXES[rng.integers(len(MOBILE_PREFIXES))] + "".join(
                str(d) for d in rng.integers(0, 10, size=8)
            )
            rows.append(
                dict(
                    employee_no=f"{prefix}{serial:05d}",
                    name=surname + given,
                    phone=phone,
                    id_number=number,
                    zone=team.zone,
                    shift=team.shift,
                    team=team.id,
                    skills=";".join(team.skills),
                    housing=team.housing,
                    employment_status="active",
                )
            )
    return rows
