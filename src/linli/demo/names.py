"""Plausible, invented personal data for the demo: names, ID numbers, phone numbers.

Every function takes the caller's ``random.Random`` so the demo is the same on every run.
Names are built from common surnames and given-name characters typical of each generation;
a short list of famous people's names is refused so no real public figure appears.
"""

from __future__ import annotations

import datetime as dt
import random
from itertools import accumulate

from linli.core.personal import id_check_digit


def words(text: str) -> list[str]:
    """Space-separated words: long word lists read better as text than as quoted items."""
    return text.split()


# Common surnames with rough weights (per mille of the population, 2020 census order).
SURNAMES: tuple[tuple[str, int], ...] = (
    ("王", 71), ("李", 70), ("张", 64), ("刘", 54), ("陈", 45), ("杨", 31), ("黄", 25),
    ("赵", 23), ("吴", 20), ("周", 19), ("徐", 17), ("孙", 15), ("马", 15), ("朱", 14),
    ("胡", 13), ("郭", 12), ("何", 12), ("林", 11), ("罗", 11), ("高", 11), ("郑", 10),
    ("梁", 10), ("谢", 9), ("宋", 8), ("唐", 8), ("许", 8), ("韩", 7), ("冯", 7), ("邓", 7),
    ("曹", 7), ("彭", 7), ("曾", 7), ("肖", 6), ("田", 6), ("董", 5), ("袁", 5), ("潘", 5),
    ("于", 5), ("蒋", 5), ("蔡", 5), ("余", 5), ("杜", 5), ("叶", 4), ("程", 4), ("苏", 4),
    ("魏", 4), ("吕", 4), ("丁", 4), ("任", 4), ("沈", 4), ("姚", 4), ("卢", 4), ("姜", 3),
    ("崔", 3), ("钟", 3), ("谭", 3), ("陆", 3), ("汪", 3), ("范", 3), ("金", 3), ("石", 3),
    ("廖", 3), ("贾", 3), ("夏", 3), ("付", 3), ("方", 3), ("邹", 3), ("熊", 3), ("龚", 2),
    ("邱", 2), ("江", 2), ("易", 2), ("文", 2), ("欧阳", 1), ("黎", 2), ("喻", 1), ("漆", 1),
    ("敖", 1), ("晏", 1), ("甘", 1),
)  # fmt: skip

# Given-name characters by generation (birth year) and gender.
_GIVEN: dict[tuple[str, str], str] = {
    ("old", "M"): "建国华明军强平志德福文永海林贵春生荣忠伟光庆祥发学东红卫兵勇成山云金顺宝富良胜利广民新正清树长玉全兴才有友炳根水",
    ("old", "F"): "秀英兰芳珍华玉凤桂琴霞梅芝萍红丽敏云淑素菊翠莲荣美娟群香春月花琼冬银金秋",
    ("mid", "M"): "伟强磊军勇杰涛斌波辉刚鹏超明浩亮健峰俊宇飞林华平东海建文志凯雷斌坚松毅",
    ("mid", "F"): "丽静艳娟敏燕玲婷霞芳红梅丹琳萍洁莉雪颖慧倩晶蓉琼媛岚璐春",
    ("young", "M"): "浩宇轩博子涵睿晨俊哲逸泽一航杰瑞奕铭鑫豪宸辰阳煜然乐皓嘉恒",
    ("young", "F"): "欣怡梓涵雨萱诗琪子佳思语可馨悦彤妍雅琳婷一若晴梦瑶诺沁",
}  # fmt: skip

# Public figures whose names the generator must never produce.
FAMOUS: frozenset[str] = frozenset(
    words(
        "毛泽东 周恩来 刘少奇 朱德 邓小平 陈云 江泽民 胡锦涛 温家宝 朱镕基 李鹏 习近平 李克强 "
        "李强 彭丽媛 王岐山 赵乐际 李白 杜甫 苏轼 孔子 孟子 岳飞 曹操 刘备 孙权 鲁迅 郭沫若 巴金 老舍 "
        "莫言 钱学森 袁隆平 屠呦呦 雷锋 王进喜 焦裕禄 马云 马化腾 李彦宏 雷军 王健林 刘强东 周杰伦 "
        "成龙 李连杰 张艺谋 陈凯歌 巩俐 章子怡 范冰冰 赵薇 杨幂 刘亦菲 刘德华 张学友 黎明 郭富城 王菲 "
        "那英 刘欢 韩红 姚明 刘翔 李娜 郎平 邓亚萍 王楠 张怡宁 孙杨 林丹 李宁 杨利伟 王亚平 张国荣 "
        "梁朝伟 周润发 赵本山 宋丹丹 冯巩 黄渤 王宝强 沈腾 李小龙 金庸 琼瑶 三毛 张爱玲 王力宏 林俊杰 "
        "陈奕迅 杨振宁 李政道 华罗庚 陈景润 邓稼先 黄继光 邱少云 董存瑞 刘胡兰 张海迪 李娜 王俊凯 "
        "易烊千玺 王源 鹿晗 吴亦凡 杨紫 赵丽颖 迪丽热巴 刘诗诗 孙俪 邓超 胡歌 黄晓明 张杰 谢娜 何炅 "
        "汪涵 白岩松 崔永元 朱军 董卿 倪萍 李咏 撒贝宁 康辉 罗永浩 俞敏洪 任正非 董明珠 宗庆后 曹德旺 "
        "王石 潘石屹 张朝阳 丁磊 李嘉诚 霍英东 邵逸夫 林则徐 孙中山 蒋介石 宋庆龄 宋美龄 秋瑾 康有为 "
        "梁启超 李大钊 陈独秀 瞿秋白 方志敏 彭德怀 林彪 贺龙 陈毅 叶剑英 聂荣臻 徐向前 刘伯承 罗荣桓 "
        "粟裕 黄克诚 谭震林 杨尚昆 乔石 李瑞环 尉健行 李岚清 吴邦国 贾庆林 曾庆红 吴官正 李长春 罗干 "
        "张德江 俞正声 刘云山 张高丽 栗战书 汪洋 王沪宁 韩正 蔡奇 丁薛祥 李希 王林 刘洋 张伟 王伟"
    )
)

# County-level region codes: mostly Pingxiang (the Anyuan mining area), some neighbours whose
# people came to work at the mine.
REGIONS: tuple[tuple[str, int], ...] = (
    ("360302", 55),  # 萍乡市安源区
    ("360313", 12),  # 萍乡市湘东区
    ("360322", 10),  # 萍乡市上栗县
    ("360321", 8),  # 萍乡市莲花县
    ("360323", 7),  # 萍乡市芦溪县
    ("430281", 4),  # 株洲市醴陵市
    ("360902", 2),  # 宜春市袁州区
    ("360502", 2),  # 新余市渝水区
)

_PHONE_PREFIXES = words(
    "130 131 132 133 135 136 137 138 139 150 151 152 155 157 158 159 177 180 181 182 "
    "183 186 187 188 189 191 199"
)

_SURNAME_CHOICES = [s for s, _ in SURNAMES]
_SURNAME_CUM = list(accumulate(w for _, w in SURNAMES))
_REGION_CHOICES = [r for r, _ in REGIONS]
_REGION_CUM = list(accumulate(w for _, w in REGIONS))


def generation(birth_year: int) -> str:
    if birth_year < 1966:
        return "old"
    if birth_year < 1991:
        return "mid"
    return "young"


def surname(rng: random.Random) -> str:
    return rng.choices(_SURNAME_CHOICES, cum_weights=_SURNAME_CUM)[0]


def given_name(rng: random.Random, gender: str, birth_year: int) -> str:
    era = generation(birth_year)
    pool = _GIVEN[(era, gender)]
    single = {"old": 0.2, "mid": 0.35, "young": 0.1}[era]
    if rng.random() < single:
        return rng.choice(pool)
    first, second = rng.sample(pool, 2)
    return first + second


GivenPool = dict[tuple[str, str], list[str]]


def given_pool(rng: random.Random, size: int) -> GivenPool:
    """``size`` given names for each generation and gender. Drawing from a fixed pool bounds
    the number of distinct full names, so pinyin look-ups stay in their cache at scale."""
    year = {"old": 1950, "mid": 1975, "young": 2000}
    pool: GivenPool = {}
    for era, gender in _GIVEN:
        names = dict.fromkeys(given_name(rng, gender, year[era]) for _ in range(size * 2))
        pool[era, gender] = list(names)[:size]
    return pool


def person_name(
    rng: random.Random,
    gender: str,
    birth_year: int,
    family: str | None = None,
    pool: GivenPool | None = None,
) -> str:
    """A full name; ``family`` keeps a household's surname (children take the father's)."""
    for _ in range(50):
        if pool is None:
            given = given_name(rng, gender, birth_year)
        else:
            given = rng.choice(pool[generation(birth_year), gender])
        name = (family or surname(rng)) + given
        if name not in FAMOUS:
            return name
    raise RuntimeError("could not invent a name that is not a famous person's")


def region_code(rng: random.Random) -> str:
    return rng.choices(_REGION_CHOICES, cum_weights=_REGION_CUM)[0]


def id_number(rng: random.Random, birth: dt.date, gender: str, region: str) -> str:
    """An 18-character resident ID number (GB 11643): region, birth date, a sequence whose
    last digit is odd for men and even for women, and the check digit."""
    while True:
        seq = rng.randrange(100) * 10 + rng.randrange(5) * 2 + (1 if gender == "M" else 0)
        if seq:
            break
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_digit(first17)


def phone(rng: random.Random) -> str:
    return rng.choice(_PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    """A date in ``[start, end]``."""
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))
