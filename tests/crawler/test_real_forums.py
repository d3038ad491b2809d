"""Tieba and Discuz! spiders on REAL saved pages (../shared/real/, origins in its README), crawled
for real through the local server; each test states what its pages must yield."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from sqlalchemy import select

from yuqing.clock import now
from yuqing.crawler.parsing.forums import IMAGE_MARKER
from yuqing.store.models import Document, Quarantine, Source

from .conftest import REAL, MockSite, Reply

FORUM = "盗墓笔记"
LIST = f"/f?kw={quote(FORUM)}&ie=utf-8&pn=0"
DETAIL_TID, COMMENTS_TID = "9079949995", "6710984997"  # the list's first two threads


def docs(session) -> dict[str, Document]:
    return {d.dedup_key: d for d in session.scalars(select(Document))}


def test_raw_forum_list_reaches_all_48_threads_with_floors_ip_images_and_nested_replies(
    site: MockSite, crawl, session
) -> None:
    """mc_tieba_note_list.html is the list as the server sends it: its threads sit after the first
    </html>, commented out inside Bigpipe pagelets. Two of the threads are served with the two real
    thread pages; the others are missing (404)."""
    site.route(LIST, Reply.real("tieba/mc_tieba_note_list.html"))
    site.route(f"/p/{DETAIL_TID}", Reply.real("tieba/mc_note_detail.html"))
    site.route(f"/p/{COMMENTS_TID}", Reply.real("tieba/mc_note_comments.html"))
    # floor 7 of the comments thread has 16 nested replies, 10 shown inline: page 2 is asked for;
    # the real /p/comment page we have is that floor's first page, served here again as page 2
    comment_p2 = f"/p/comment?tid={COMMENTS_TID}&pid=150726500312&pn=2"
    site.route(comment_p2, Reply.real("tieba/mc_note_sub_comments.html"))
    src = {
        "name": "贴吧-盗墓笔记", "kind": "tieba", "url": site.url,
        "options": {"forums": [FORUM], "max_forum_pages": 1, "max_thread_pages": 1},
    }
    run = crawl([src], "tieba")
    assert run.returncode == 0, run.stderr

    threads = {p.removeprefix("/p/") for p in site.log if p.startswith("/p/") and "comment" not in p}
    assert len(threads) == 48 and {DETAIL_TID, COMMENTS_TID} <= threads  # 48 of 48 (was 0)
    assert site.hits(comment_p2) == 1
    # the detail thread's floor 2 has 123 nested replies (10 inline): its page 2 is asked for too
    assert site.hits(f"/p/comment?tid={DETAIL_TID}&pid=150719088158&pn=2") == 1

    got = docs(session)
    floors = [d for d in got.values() if "parent_post_id" not in d.extra]
    nested = [d for d in got.values() if "parent_post_id" in d.extra]
    # 30 + 30 floors; 10 + 26 inline nested replies (楼中楼; the page-2 reply page repeats page 1)
    assert (len(floors), len(nested)) == (60, 36)
    assert all(d.extra.get("ip_region") for d in floors)  # every floor's IP属地
    assert not any("点击展开" in (d.text or "") for d in got.values())

    first = got["150719031818"]  # an image-only first floor
    assert first.text == IMAGE_MARKER and first.extra["images"][0].startswith("http://tiebapic.baidu.com/")
    assert first.title == "对于一个父亲来说，这个女儿14岁就死了"
    assert (first.author, first.publisher) == ("怪物大宝贝", "以太比特吧")
    assert first.extra["ip_region"] == "广东" and first.extra["floor"] == 1
    assert first.published_at == datetime(2024, 8, 5, 8, 56, tzinfo=UTC)  # 2024-08-05 16:56 Beijing
    assert got["150719088158"].extra["sub_replies"] == 123

    reply = got["150721163086"]  # nested under floor 2 of the detail thread
    assert reply.extra["parent_post_id"] == "150719088158" and reply.extra["floor"] == 2
    assert (reply.author, reply.text) == ("保护色度", "号废了重练一个而已，只是她妈后来才明白这一点")
    assert reply.published_at == datetime(2024, 8, 5, 15, 48, tzinfo=UTC)  # 2024-8-5 23:48 Beijing

    second = got["150726496253"]  # floor 2 of the comments thread: 4 nested replies, all kept
    assert second.text == "全后卫冕成功，还是动作质量高，小炸也赢了" and second.extra["ip_region"] == "福建"
    assert sum(d.extra.get("parent_post_id") == "150726496253" for d in nested) == 4
    assert got["150726491368"].text == f"中国队第22金！无悬念！ {IMAGE_MARKER} {IMAGE_MARKER}"

    # 46 missing threads and one missing reply page: quarantined as HTTP 404, never retried
    q = session.scalars(select(Quarantine)).all()
    assert len(q) == 47 and {r.reason for r in q} == {"HTTP 404"} and all(r.retry_at is None for r in q)
    src_row = session.scalar(select(Source))
    assert src_row.status == "warning" and src_row.items_last_run == 96


def test_browser_saved_forum_list_reaches_all_its_50_threads(site: MockSite, crawl, session) -> None:
    """gne_forum_list.html is the same kind of list saved from a browser's DOM (贴吧热议吧, 50
    threads, pinned ones first): every thread is asked for. Their pages are not served (404)."""
    from yuqing.crawler.parsing.forums import tieba_forum_list

    dom = (REAL / "tieba" / "gne_forum_list.html").read_text(encoding="utf-8")
    expected = {r.thread_id for r in tieba_forum_list(dom, site.url)[0]}
    forum = "贴吧热议"
    site.route(f"/f?kw={quote(forum)}&ie=utf-8&pn=0", Reply.real("tieba/gne_forum_list.html"))
    src = {
        "name": "贴吧-热议", "kind": "tieba", "url": site.url,
        "options": {"forums": [forum], "max_forum_pages": 1, "max_thread_pages": 1},
    }
    assert crawl([src], "tieba").returncode == 0
    asked = {p.removeprefix("/p/") for p in site.log if p.startswith("/p/")}
    assert len(expected) == 50 and asked == expected
    row = session.scalar(select(Source))
    assert row.status != "ok" and session.query(Quarantine).count() == 50  # 50 × HTTP 404


def test_search_results_page_keeps_every_result_as_a_snippet(site: MockSite, crawl, session) -> None:
    """mc_search_keyword_notes.html (/f/search/res): 10 results; their threads are not served, so
    each result is stored from the search snippet."""
    keyword = "东南亚"
    site.route(
        f"/f/search/res?ie=utf-8&qw={quote(keyword)}&rn=20&pn=1&sm=1",
        Reply.real("tieba/mc_search_keyword_notes.html"),
    )
    src = {
        "name": "贴吧搜索", "kind": "tieba", "url": site.url, "keywords": [keyword],
        "options": {"max_pages": 1},
    }
    assert crawl([src], "tieba").returncode == 0
    got = docs(session)
    assert len(got) == 10 and all(d.extra["snippet_only"] for d in got.values())
    one = got["150718967291"]
    assert one.title == "武汉交互空间科技：富士康10亿加码中国大陆，印度为何逐渐“失宠"
    assert (one.author, one.publisher, one.extra["thread_id"]) == ("VR虚拟达人", "武汉交互空间", "9117888152")
    assert one.published_at == datetime(2024, 8, 5, 8, 45, tzinfo=UTC)
    assert one.text.startswith("全球知名的电子制造服务巨头富士康的母公司鸿海精密工业股份有限")
    assert got["150705176739"].author == "贴吧用户_GC64AUS"


DISCUZ_LIST = """<html><head><meta charset="utf-8"></head><body><div id="threadlist">
<table id="threadlisttableid">{rows}</table></div></body></html>"""
DISCUZ_ROW = """<tbody id="normalthread_{tid}"><tr><th>
<a href="forum.php?mod=viewthread&amp;tid={tid}" class="s xst">
{title}</a></th><td class="by"><cite><a>bapuro</a></cite><em><span>2020-2-19</span></em></td>
<td class="num"><a class="xi2">0</a><em>1</em></td></tr></tbody>"""


def test_discuz_x34_threads_board_from_the_breadcrumb(site: MockSite, crawl, session) -> None:
    """thread-{1,3,4,6}.html: real Discuz! X3.4 threads (UTF-8). The list page is ours (none was
    saved); it only links to them."""
    titles = {"1": "TEST，测试帖", "3": "测试测试", "4": "测试3", "6": "2月26日更新内容（测试）"}
    rows = "".join(DISCUZ_ROW.format(tid=t, title=title) for t, title in titles.items())
    listing = DISCUZ_LIST.format(rows=rows).encode()
    site.route("/forum.php?mod=forumdisplay&fid=2&page=1", Reply(body=listing))
    for tid in titles:
        site.route(f"/forum.php?mod=viewthread&tid={tid}", Reply.real(f"discuz/thread-{tid}.html"))
    src = {"name": "BapuRo", "kind": "discuz", "url": site.url, "options": {"fids": [2]}}
    assert crawl([src], "discuz").returncode == 0

    got = docs(session)
    assert set(got) == {"1", "4", "5", "7"}  # one post each: the first floor's post id
    expect = {  # post id: (title, author, Beijing time, board)
        "1": ("TEST，测试帖", "bapuro", (2020, 2, 19, 11, 19, 11), "游戏公告"),
        "4": ("测试测试", "bapuro", (2020, 2, 21, 19, 48, 36), "游戏公告"),
        "5": ("测试3", "bapuro", (2020, 2, 22, 19, 41, 53), "游戏公告"),
        "7": ("2月26日更新内容（测试）", "BapuRo管理员", (2020, 2, 26, 12, 39, 24), "游戏资料"),
    }
    for pid, (title, author, utc, board) in expect.items():
        d = got[pid]
        assert (d.title, d.author, d.publisher, d.extra["floor"]) == (title, author, board, 1), pid
        assert d.published_at == datetime(*utc, tzinfo=UTC), pid
        assert d.publisher != "●[BapuRo]游戏中心"  # the category, not the board
    assert got["1"].text == "111111111111111"
    assert got["7"].text.startswith("测试文字 测试文字测试文字")
    # threads 3 and 4 hold only attachments shown to members: marked, not stored empty
    assert got["4"].text == "[附件（需登录查看）]" and got["4"].extra["attachments_hidden"] is True
    assert session.scalar(select(Source)).status == "ok"



def test_a_discuz_row_with_a_bad_link_costs_no_other_thread(site: MockSite, crawl, session) -> None:
    """The list's first rows link to "javascript:;" and to a port that is no number; the real X3.4
    threads after them are read, the two links counted as skipped."""
    thread = "forum.php?mod=viewthread&amp;tid="
    bad = DISCUZ_ROW.format(tid="98", title="置顶公告").replace(f"{thread}98", "javascript:;")
    port = DISCUZ_ROW.format(tid="99", title="旧帖").replace(f"{thread}99", f"http://x.example.invalid:abc/{thread}99")
    good = "".join(DISCUZ_ROW.format(tid=t, title=t) for t in ("1", "6"))
    listing = DISCUZ_LIST.format(rows=bad + port + good).encode()
    site.route("/forum.php?mod=forumdisplay&fid=2&page=1", Reply(body=listing))
    for tid in ("1", "6"):
        site.route(f"/forum.php?mod=viewthread&tid={tid}", Reply.real(f"discuz/thread-{tid}.html"))
    src = {"name": "BapuRo", "kind": "discuz", "url": site.url, "options": {"fids": [2]}}
    run = crawl([src], "discuz")
    assert run.returncode == 0, run.stderr
    assert set(docs(session)) == {"1", "7"}  # the first posts of threads 1 and 6
    assert "跳过无效链接 2 条" in run.stdout
    assert session.scalar(select(Source)).status == "ok"


# how Discuz! prints a post's time (crawler.parsing.times), put into the real X3.4 thread-1.html
TIME_FORMS = {  # thread id: printed inside <em id="authorposton…">, what the post must be dated
    "11": ("发表于 半小时前", None),  # relative: half an hour before the crawl
    "12": ("发布于 2026-3-15", datetime(2026, 3, 14, 16, 0, tzinfo=UTC)),  # midnight Beijing
    "13": ("发表于 2026-03-15T10:05:33+08:00", datetime(2026, 3, 15, 2, 5, 33, tzinfo=UTC)),
    "14": ("发表于 2026-03-15 04:05:33+02:00", datetime(2026, 3, 15, 2, 5, 33, tzinfo=UTC)),
    "15": (  # a recent post: the exact time in the title, the relative one shown
        '发表于 <span title="2026-3-15 10:05:33">半小时前</span>', datetime(2026, 3, 15, 2, 5, 33, tzinfo=UTC)
    ),
}


def test_discuz_time_forms_on_the_real_x34_thread(site: MockSite, crawl, session) -> None:
    """thread-1.html served once per time form (its post renumbered so each is its own post):
    every form is dated, the ISO 8601 offset is kept, not cut to the day."""
    real = (REAL / "discuz" / "thread-1.html").read_text(encoding="utf-8")
    printed = '<em id="authorposton1">发表于 2020-2-19 19:19:11</em>'
    assert printed in real
    rows = "".join(DISCUZ_ROW.format(tid=t, title=f"时间 {t}") for t in TIME_FORMS)
    site.route("/forum.php?mod=forumdisplay&fid=2&page=1", Reply(body=DISCUZ_LIST.format(rows=rows).encode()))
    for tid, (em, _) in TIME_FORMS.items():
        page = real.replace(printed, f'<em id="authorposton1">{em}</em>')
        page = page.replace('id="post_1"', f'id="post_{tid}"')
        site.route(f"/forum.php?mod=viewthread&tid={tid}", Reply(body=page.encode()))
    src = {"name": "BapuRo", "kind": "discuz", "url": site.url, "options": {"fids": [2]}}
    before = now()
    assert crawl([src], "discuz").returncode == 0
    after = now()

    got = docs(session)
    assert set(got) == set(TIME_FORMS)
    for tid, (_, expected) in TIME_FORMS.items():
        if expected is not None:
            assert got[tid].published_at == expected, tid
    half_hour = timedelta(minutes=30)
    assert before - half_hour <= got["11"].published_at <= after - half_hour
    assert got["13"].published_raw == "2026-03-15T10:05:33+08:00"  # not cut to "2026-03-15"
    assert session.scalar(select(Source)).status == "ok"


def test_a_list_page_read_short_is_never_ok(site: MockSite, crawl, session) -> None:
    """The real list with one row's data-field broken: 47 of its 48 threads are read. All 48 are
    known unchanged (cursor), so nothing is fetched, yet the source is not 正常."""
    from yuqing.crawler.parsing.forums import tieba_forum_list
    from yuqing.store.models import CrawlCursor

    raw = (REAL / "tieba" / "mc_tieba_note_list.html").read_text(encoding="utf-8")
    rows, _, _ = tieba_forum_list(raw, site.url)
    broken = raw.replace("{&quot;id&quot;:9079949995,", "{&quot;id&quot;:9079949995,,", 1)
    site.route(LIST, Reply(body=broken.encode()))
    src = {
        "name": "贴吧-盗墓笔记", "kind": "tieba", "url": site.url,
        "options": {"forums": [FORUM], "max_forum_pages": 1},
    }
    assert crawl([src], "tieba").returncode == 0  # creates the source row
    source_id = session.scalar(select(Source)).id
    session.query(Document).delete()
    session.query(Quarantine).delete()
    session.query(CrawlCursor).delete()
    session.add(CrawlCursor(source_id=source_id, key=f"kw:{FORUM}",
                            value={"threads": {r.thread_id: r.replies for r in rows}}, updated_at=now()))
    session.commit()
    before = len(site.log)
    run = crawl([src], "tieba")
    assert run.returncode == 0
    assert [p for p in site.log[before:] if p != "/robots.txt"] == [LIST]  # nothing else fetched
    session.expire_all()
    row = session.scalar(select(Source))
    assert row.status == "warning" and "页面有 48 条，只读出 47 条" in row.last_error
    assert "少于页面所含条目" in run.stdout
    kept = session.scalars(select(Quarantine)).one()  # the page, as fetched, for the parser's fix
    assert kept.reason == "页面未能完整读取：页面有 48 条，只读出 47 条" and kept.body == broken.encode()
