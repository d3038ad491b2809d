"""The scenario: a monthly CPI release, calm coverage, then a growing data-fraud accusation wave.

`build_scenario` turns the written content (yuqing/app/demo/content/) into dated items for one run of
the world. Ids depend only on the seed, so two worlds with one seed serve the same ids.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cached_property
from itertools import product

from yuqing.clock import SHANGHAI, as_utc

from .clock import VirtualClock
from .content import news as news_content
from .content import releases as release_content
from .content import tieba as tieba_content
from .content import weibo as weibo_content
from .items import NewsArticle, StatRelease, TiebaPost, TiebaThread, WeiboPost, WeiboUser

WAVE_START = 0.34  # the big V's post: about a third into the scenario
BASE62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class Scenario:
    clock: VirtualClock
    seed: int
    period: tuple[int, int]          # reference (year, month) of the CPI release
    cpi: StatRelease
    releases: tuple[StatRelease, ...]     # newest first
    news: tuple[NewsArticle, ...]         # newest first
    weibo: tuple[WeiboPost, ...]          # newest first
    tieba: tuple[TiebaThread, ...]

    @cached_property
    def weibo_by_mid(self) -> dict[str, WeiboPost]:
        return {p.mid: p for p in self.weibo}


def mid_to_bid(mid: str) -> str:
    """Weibo's base62 short id: 7-digit groups from the right, each as 4 base62 characters."""
    groups = []
    end = len(mid)
    while end > 0:
        start = max(0, end - 7)
        n = int(mid[start:end])
        chars = ""
        while n:
            n, r = divmod(n, 62)
            chars = BASE62[r] + chars
        groups.append(chars.rjust(4, "0") if start > 0 else (chars or "0"))
        end = start
    return "".join(reversed(groups))


def previous_month(d: date) -> tuple[int, int]:
    return (d.year - 1, 12) if d.month == 1 else (d.year, d.month - 1)


def _fill(text: str, period: tuple[int, int], **extra: object) -> str:
    return text.format(y=period[0], m=period[1], **extra)


class _Ids:
    """Deterministic ids: a seeded generator, one stream per kind."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.mid_base = 5_200_000_000_000_000 + self.rng.randrange(10**14)
        self.tid = 9_100_000_000 + self.rng.randrange(10**8)
        self.pid = 150_000_000_000 + self.rng.randrange(10**10)
        self.release_no = 1_950_000 + self.rng.randrange(10_000)
        self.article_no = 40_010_000 + self.rng.randrange(10_000)
        self.local_no = 30_000_000 + self.rng.randrange(100_000)
        self.used_mids: set[int] = set()

    def mid(self, offset_seconds: float) -> str:
        n = self.mid_base + int(offset_seconds * 4096) + self.rng.randrange(4096)
        while n in self.used_mids:
            n += 1
        self.used_mids.add(n)
        return str(n)


def _releases(clock: VirtualClock, ids: _Ids,
              rng: random.Random) -> tuple[StatRelease, tuple[StatRelease, ...]]:
    start = clock.scenario_start.replace(second=0, microsecond=0)
    local_start = start.astimezone(SHANGHAI)
    period = previous_month(local_start.date())

    def path(at_local: datetime) -> str:
        ids.release_no += 1 + rng.randrange(40)
        return f"/sj/zxfb/{at_local:%Y%m}/t{at_local:%Y%m%d}_{ids.release_no}.html"

    rows: list[StatRelease] = []
    # Earlier months first, so release numbers grow with time as on the real site.
    for back in (3, 2, 1, 0):
        y, m = period
        for _ in range(back):
            y, m = previous_month(date(y, m, 1))
        ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
        cycle: list[tuple[datetime, str, str]] = []
        for day, hour, minute, title, body in release_content.MONTHLY_CYCLE:
            if day == 0:
                d = date(y, m, calendar.monthrange(y, m)[1])
            else:
                d = date(ny, nm, min(day, calendar.monthrange(ny, nm)[1]))
            v = f"{rng.uniform(0.5, 7.5):.1f}" if "PMI" not in title and "采购" not in title \
                else f"{rng.uniform(48.5, 51.5):.1f}"
            fields = {"v": v, "d": rng.randrange(0, 4)}
            cycle.append((datetime.combine(d, time(hour, minute), SHANGHAI), _fill(title, (y, m), **fields),
                          _fill(body, (y, m), **fields)))
        if back:
            d = date(ny, nm, min(local_start.day, calendar.monthrange(ny, nm)[1]))
            at = datetime.combine(d, time(9, 30), SHANGHAI)
            up = rng.random() < 0.6
            fields = {"v": f"{rng.uniform(0.0, 0.6):.1f}", "dir": "上涨" if up else "下降"}
            cycle.append((at, _fill(release_content.EARLIER_CPI_TITLE, (y, m), **fields),
                          _fill(release_content.EARLIER_CPI_BODY, (y, m), **fields)))
            fields = {"v": f"{rng.uniform(1.5, 3.0):.1f}"}
            cycle.append((at, _fill(release_content.EARLIER_PPI_TITLE, (y, m), **fields),
                          _fill(release_content.EARLIER_PPI_BODY, (y, m), **fields)))
        for at, title, body in sorted(cycle, key=lambda c: c[0]):
            if at < local_start:
                rows.append(StatRelease(path(at), as_utc(at), title, (body,)))
    ppi = StatRelease(path(local_start), as_utc(start), _fill(release_content.PPI_TITLE, period),
                      tuple(_fill(p, period) for p in release_content.PPI_BODY))
    cpi = StatRelease(path(local_start), as_utc(start), _fill(release_content.CPI_TITLE, period),
                      tuple(_fill(p, period) for p in release_content.CPI_BODY))
    rows += [ppi, cpi]
    rows.sort(key=lambda r: (r.at, r.path), reverse=True)
    return cpi, tuple(rows)


def _news(clock: VirtualClock, ids: _Ids, period: tuple[int, int]) -> tuple[NewsArticle, ...]:
    out: list[NewsArticle] = []
    for spec in news_content.ARTICLES:
        title = _fill(spec["title"], period)
        summary = _fill(spec["summary"], period)
        paragraphs = tuple(_fill(p, period) for p in spec["paragraphs"])
        copies = [(spec["outlet"], spec["at"], spec["source"])]
        if spec["copy_at"] is not None:
            copies.append(("local", spec["copy_at"], spec["source"]))
        for outlet, share, source in copies:
            at = clock.at(share).replace(microsecond=0)
            local = at.astimezone(SHANGHAI)
            if outlet == "central":
                ids.article_no += 1 + ids.rng.randrange(30)
                path = f"/news/{local:%Y}/{local:%m%d}/c1004-{ids.article_no}.html"
            else:
                ids.local_no += 1 + ids.rng.randrange(300)
                path = f"/local/system/{local:%Y/%m/%d}/0{ids.local_no}.shtml"
            editor = "责编：赵敏、刘洋" if outlet == "central" else "编辑：陈静"
            out.append(NewsArticle(outlet, path, at, title, summary, paragraphs, source,
                                   spec["author"], editor))
    out.sort(key=lambda a: a.at, reverse=True)
    return tuple(out)


def _account(key: str) -> WeiboUser:
    uid, name, followers, text, vtype, reason, desc, gender = weibo_content.ACCOUNTS[key]
    return WeiboUser(uid, name, followers, vtype, reason, desc, follow_count=300 + uid % 900,
                     statuses_count=5_000 + uid % 40_000, gender=gender, followers_text=text)


class _People:
    """Ordinary users, one new account per post (the crowd is large)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names = [h + t for h, t in product(weibo_content.NICK_HEADS, weibo_content.NICK_TAILS)]
        rng.shuffle(self.names)

    def next(self) -> WeiboUser:
        rng = self.rng
        uid = rng.randrange(5_000_000_000, 7_999_999_999)
        name = self.names.pop() if self.names and rng.random() < 0.8 else f"用户{uid}"
        followers = int(rng.paretovariate(1.3) * 40)
        return WeiboUser(uid, name, followers, -1, "", "", follow_count=rng.randrange(20, 900),
                         statuses_count=rng.randrange(10, 8_000), gender=rng.choice("mf"))


def _wave_times(rng: random.Random, n: int, start: float) -> list[float]:
    """`n` shares in [start, 1) whose density grows linearly: the wave keeps growing."""
    return sorted(start + (1 - start) * (rng.random() ** 0.5) * 0.995 for _ in range(n))


def _weibo(clock: VirtualClock, ids: _Ids, period: tuple[int, int]) -> tuple[WeiboPost, ...]:
    rng = ids.rng
    people = _People(rng)
    c = weibo_content
    posts: list[WeiboPost] = []

    def add(share: float, user: WeiboUser, markup: str, counts: tuple[int, int, int],
            pics: int = 0, repost_of: str | None = None) -> WeiboPost:
        at = clock.at(share).replace(microsecond=0)
        mid = ids.mid((at - clock.scenario_start).total_seconds())
        post = WeiboPost(mid, mid_to_bid(mid), at, user, _fill(markup, period),
                         rng.choice(c.CLIENTS), rng.choice(c.REGIONS), *counts,
                         pic_num=pics, repost_of=repost_of)
        posts.append(post)
        return post

    def crowd_counts() -> tuple[int, int, int]:
        reposts = int(rng.paretovariate(1.6)) - 1
        return reposts, int(rng.paretovariate(1.4)) - 1, int(rng.paretovariate(1.1) * 3)

    def by(key: str | None) -> WeiboUser:
        return _account(key) if key else people.next()

    for spec in c.CALM_POSTS + c.LATER_POSTS:
        add(spec["at"], by(spec["by"]), spec["text"], spec["counts"], spec.get("pics", 0))
    origin = add(c.ORIGIN["at"], by(c.ORIGIN["by"]), c.ORIGIN["text"], c.ORIGIN["counts"], c.ORIGIN["pics"])
    amplifier_spec = c.AMPLIFIERS[0]
    amp = add(amplifier_spec["at"], by(amplifier_spec["by"]), amplifier_spec["text"],
              amplifier_spec["counts"], repost_of=origin.mid)
    amp_name = amp.user.screen_name

    combos = list(product(c.OPENERS, c.FACTS, c.CLAIMS, c.CLOSERS))
    rng.shuffle(combos)
    for share, (opener, fact, claim, closer) in zip(
        _wave_times(rng, c.WAVE_COUNT, WAVE_START + 0.01), combos, strict=False
    ):
        if rng.random() < 0.5:
            text = f"{opener}{fact}，{claim}{closer}"
        else:
            text = f"{claim}{opener}{fact}。{closer}"
        add(share, people.next(), text, crowd_counts(), pics=rng.choice((0, 0, 0, 1, 3)))

    comments = [x for x in c.REPOST_COMMENTS if x]
    for i, share in enumerate(_wave_times(rng, c.REPOST_COUNT, WAVE_START + 0.005)):
        comment = "转发微博" if i % 4 == 1 else rng.choice(comments)   # exact reposts, no comment
        add(share, people.next(), comment, crowd_counts(), repost_of=origin.mid)
    amp_comment = _fill(amplifier_spec["text"], period)
    for share in _wave_times(rng, c.CHAINED_REPOST_COUNT, amplifier_spec["at"] + 0.01):
        comment = rng.choice(comments) if rng.random() < 0.7 else ""
        add(share, people.next(), f"{comment}//@{amp_name}:{amp_comment}", crowd_counts(),
            repost_of=origin.mid)
    for share in _wave_times(rng, c.COPY_COUNT, 0.45):
        add(share, people.next(), c.COPY_TEXT, crowd_counts())

    posts.sort(key=lambda p: (p.at, p.mid), reverse=True)
    return tuple(posts)


def _tieba(clock: VirtualClock, ids: _Ids, period: tuple[int, int]) -> tuple[TiebaThread, ...]:
    threads = []
    for spec in tieba_content.THREADS:
        ids.tid += 1 + ids.rng.randrange(50_000)
        posts = []
        for floor, (share, author, text) in enumerate(spec["posts"], start=1):
            ids.pid += 1 + ids.rng.randrange(5_000)
            posts.append(TiebaPost(ids.pid, floor, clock.at(share).replace(second=0, microsecond=0),
                                   author, _fill(text, period)))
        threads.append(TiebaThread(ids.tid, spec["forum"], _fill(spec["title"], period), tuple(posts)))
    return tuple(threads)


def build_scenario(clock: VirtualClock, seed: int = 7) -> Scenario:
    ids = _Ids(seed)
    cpi, releases = _releases(clock, ids, random.Random(seed + 1))
    period = previous_month(cpi.at.astimezone(SHANGHAI).date())
    return Scenario(
        clock=clock, seed=seed, period=period, cpi=cpi, releases=releases,
        news=_news(clock, ids, period), weibo=_weibo(clock, ids, period), tieba=_tieba(clock, ids, period),
    )
