"""CLI of the analysis layer: `yuqing train`, `yuqing classify`, `yuqing analyse`."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def train(
        data_dir: Path = typer.Option(Path("../shared/data"), "--data", help="标注语料目录"),
        out: Path | None = typer.Option(None, "--out", help="模型输出目录（默认 analysis/model/）"),
        version: str | None = typer.Option(None, help="模型版本号（默认为发布模型的版本）"),
        limit: int | None = typer.Option(None, help="每个语料最多使用的行数（用于快速试训）"),
        corrections_db: str | None = typer.Option(
            None, "--corrections-db",
            help="同时学习该数据库（URL）中分析员的情感更正；不给则只用语料，复现发布的模型"),
    ) -> None:
        """训练情感模型（不带选项时复现 analysis/model/ 中发布的模型）。"""
        from rich.progress import Progress

        from yuqing.analysis.sentiment.card import model_card, score_lines
        from yuqing.analysis.sentiment.model import DEFAULT_MODEL_DIR, ModelError, read_model
        from yuqing.analysis.sentiment.train import MODEL_VERSION
        from yuqing.analysis.sentiment.train import train as run_training
        from yuqing.clock import now
        from yuqing.config import get_settings

        settings = get_settings()
        rows: list[tuple[str, str]] = []
        if corrections_db:
            try:
                rows = _corrections(corrections_db)
            except ValueError as exc:
                typer.echo(str(exc), err=True)
                raise typer.Exit(2) from None
            typer.echo(f"分析员更正：{len(rows)} 条（来自 --corrections-db）")
        import hashlib
        import time

        started = now()
        clock = time.process_time()
        target = out or settings.analysis.model_dir or DEFAULT_MODEL_DIR
        try:  # the model being replaced, scored on the same held-out rows (before → after)
            previous = read_model(target)
        except ModelError:
            previous = None
        with Progress() as progress:
            task = progress.add_task("训练", total=1)

            def report(stage: str, done: int, total: int) -> None:
                progress.update(task, description=stage, completed=done, total=max(total, 1))

            result = run_training(
                data_dir, corrections=rows, limit_per_corpus=limit, progress=report,
                version=version or MODEL_VERSION, previous=previous,
            )
        seconds = time.process_time() - clock
        result.model.save(target, trained_at=started.isoformat(), scores=result.scores, sizes=result.sizes,
                          tokeniser=result.tokeniser, corrections_used=result.extra.get("corrections", 0),
                          scores_before={"version": result.before_version, **result.before})
        digest = hashlib.sha256((target / "sentiment.npz").read_bytes()).hexdigest()
        (target / "MODEL_CARD.md").write_text(
            model_card(result, trained_at=started, data_dir=str(data_dir), weights_sha256=digest,
                       train_seconds=seconds),
            encoding="utf-8",
        )
        typer.echo(f"本次训练使用分析员更正 {result.extra.get('corrections', 0)} 条")
        for line in score_lines(result):
            typer.echo(line)
        typer.echo(f"模型已写入 {target}")

    @app.command()
    def classify(
        input_file: Path | None = typer.Argument(
            None, metavar="输入文件", help="输入文件（默认标准输入），每行一条文本"),
        column: str | None = typer.Option(None, "--column", help="CSV 输入：文本所在列名"),
    ) -> None:
        """对文本打情感分：每行输出一条 JSON（label 与三个概率）。"""
        import csv
        import json
        import sys

        from yuqing.analysis.sentiment.classify import classify_texts
        from yuqing.config import get_settings

        fh = input_file.open(encoding="utf-8-sig", newline="") if input_file else sys.stdin
        try:
            if column:
                reader = csv.DictReader(fh)
                if column not in (reader.fieldnames or ()):
                    have = ", ".join(reader.fieldnames or ())
                    typer.echo(f"CSV 中没有列 {column!r}（现有：{have}）", err=True)
                    raise typer.Exit(2)
                texts = [row[column] or "" for row in reader]
            else:
                texts = [line.rstrip("\n") for line in fh]
        finally:
            if input_file:
                fh.close()
        for item in classify_texts(texts, get_settings().analysis.model_dir):
            sys.stdout.write(json.dumps(item, ensure_ascii=False) + "\n")

    @app.command()
    def analyse(limit: int | None = typer.Option(None, help="最多处理的文档数")) -> None:
        """运行一次分析：把新文档分析为舆情条目。"""
        from yuqing.analysis.worker import analyse_pending
        from yuqing.config import get_settings
        from yuqing.store.db import make_engine, session_factory

        settings = get_settings()
        engine = make_engine(settings.database_url)
        count = analyse_pending(session_factory(engine), settings, limit=limit)
        typer.echo(f"已分析 {count} 篇文档")


def _corrections(database_url: str) -> list[tuple[str, str]]:
    """Analysts' relabellings from the store, the latest per text (an analyst may correct twice)."""
    from yuqing.analysis.sentiment.corrections import read_corrections

    return read_corrections(database_url)
