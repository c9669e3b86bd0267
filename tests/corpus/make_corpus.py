"""Regenerate the hostile-input corpus: `.venv/bin/python tests/corpus/make_corpus.py`.

Deterministic (no randomness without a fixed seed); writes into tables/, graphs/, links/ here.
The files are committed, so tests never need to run this; it documents how each file was made.
"""
from __future__ import annotations

import base64
import json
import random
import shutil
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
XSS = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert('x')</script>"


def tables() -> dict[str, bytes]:
    t: dict[str, bytes] = {}
    good = "a,b,c\n1,2,3\n4,5,6\n7,8,9\n"
    t["ok_baseline.csv"] = good.encode()
    t["bad_quote_unclosed.csv"] = b'a,b\n"1,2\n3,4\n'
    t["bad_quote_stray.csv"] = b'a,b\n1",2\n3,"4"x\n'
    t["bad_quote_only_quotes.csv"] = b'""""""\n""\n'
    t["mixed_delimiters.csv"] = b"a,b;c\td\n1,2;3\t4\n5;6,7\t8\n"
    t["semicolon_decimal_comma.csv"] = b"x;y\n1,5;2,25\n3,0;4,75\n"
    t["tab_separated.csv"] = b"x\ty\n1\t2\n3\t4\n"
    t["pipe_separated.csv"] = b"x|y\n1|2\n3|4\n"
    t["ragged_rows.csv"] = b"a,b,c\n1,2\n3,4,5,6,7\n8\n"
    t["bom_utf8.csv"] = "\ufeffa,b\n1,2\n3,4\n".encode()
    t["bom_utf8_twice.csv"] = "\ufeff\ufeffa,b\n1,2\n".encode()
    t["utf16_le_bom.csv"] = "a,b\n1,2\n3,4\n".encode("utf-16")
    t["utf16_be_nobom.csv"] = "a,b\n1,2\n3,4\n".encode("utf-16-be")
    t["utf32.csv"] = "a,b\n1,2\n".encode("utf-32")
    t["latin1.csv"] = "caf\xe9,na\xefve\n1,2\n".encode("latin-1")
    t["invalid_utf8.csv"] = b"a,b\n\xff\xfe\xfd,1\n\xc3\x28,2\n"
    t["binary_junk.csv"] = bytes(random.Random(1).randrange(256) for _ in range(4096))
    t["binary_zeros.csv"] = b"\x00" * 2048
    t["nul_in_cells.csv"] = b"a,b\n1\x00,2\n3,\x004\n"
    t["png_header.csv"] = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    t["zip_header.csv"] = b"PK\x03\x04" + b"\x00" * 64
    t["gzip_header.csv"] = b"\x1f\x8b\x08\x00" + b"\x00" * 64
    t["html_page.csv"] = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>\n"
    t["empty.csv"] = b""
    t["only_whitespace.csv"] = b"   \n\n\t\n"
    t["only_newlines.csv"] = b"\n" * 500
    t["header_only_zero_rows.csv"] = b"a,b,c\n"
    t["header_only_no_newline.csv"] = b"a,b,c"
    t["one_cell.csv"] = b"x\n1\n"
    t["one_column_many_rows.csv"] = ("x\n" + "\n".join(str(i % 7) for i in range(2000)) + "\n").encode()
    t["duplicate_headers.csv"] = b"a,a,b,b,a\n1,2,3,4,5\n6,7,8,9,10\n"
    t["duplicate_headers_case.csv"] = b"A,a,A \n1,2,3\n"
    t["empty_headers.csv"] = b",,\n1,2,3\n4,5,6\n"
    t["numeric_headers.csv"] = b"1,2,3\n4,5,6\n7,8,9\n"
    t["whitespace_headers.csv"] = b" a , b \n1,2\n"
    t["long_header_name.csv"] = ("x" * 5000 + ",y\n1,2\n").encode()
    t["html_in_headers.csv"] = f'"{XSS}","{SCRIPT}"\n1,2\n3,4\n'.encode()
    t["html_in_cells.csv"] = f'name,v\n"{XSS}",1\n"{SCRIPT}",2\n'.encode()
    t["formula_cmd.csv"] = b"name,v\n\"=cmd|' /C calc'!A0\",1\n=1+1,2\n+SUM(A1),3\n-2+3,4\n@SUM(A1),5\n"
    t["formula_in_header.csv"] = b"\"=cmd|' /C calc'!A0\",=HYPERLINK(\"http://x\")\n1,2\n"
    t["wide_10000_columns.csv"] = (",".join(f"c{i}" for i in range(10_000)) + "\n"
                                   + ",".join("1" for _ in range(10_000)) + "\n").encode()
    t["wide_2001_columns.csv"] = (",".join(f"c{i}" for i in range(2001)) + "\n"
                                  + ",".join("0" for _ in range(2001)) + "\n").encode()
    t["all_missing.csv"] = b"a,b\n,\n,\n,\n"
    t["na_tokens.csv"] = b"a,b\nNA,null\nNaN,None\n-,?\n"
    t["inf_values.csv"] = b"a,b\ninf,-inf\n1e309,-1e309\n3,4\n"
    t["huge_numbers.csv"] = b"a,b\n99999999999999999999999999999,1\n1,2\n"
    t["mixed_types_column.csv"] = b"a,b\n1,x\ntwo,2\n3.0,true\n2020-01-01,\n"
    t["dates_weird.csv"] = b"d,v\n2020-13-45,1\n0000-00-00,2\n31/02/2021,3\n"
    t["crlf_lines.csv"] = b"a,b\r\n1,2\r\n3,4\r\n"
    t["cr_only_lines.csv"] = b"a,b\r1,2\r3,4\r"
    t["trailing_delimiters.csv"] = b"a,b,\n1,2,\n3,4,\n"
    t["very_long_cell.csv"] = ("a,b\n" + "z" * 200_000 + ",1\n").encode()
    t["quoted_newlines.csv"] = b'a,b\n"line1\nline2",1\n"x",2\n'
    t["escaped_quotes.csv"] = b'a,b\n"say ""hi""",1\n'
    t["unicode_headers.csv"] = "\u00e9t\u00e9,\u6570\u636e,\U0001F600,\u202eevil\n1,2,3,4\n".encode()
    t["rtl_and_zero_width.csv"] = "a\u200b,b\u200d\n1,2\n".encode()
    t["constant_columns.csv"] = b"a,b\n1,1\n1,1\n1,1\n"
    t["single_row.csv"] = b"a,b\n1,2\n"
    t["negative_zero.csv"] = b"a\n-0\n0\n-0.0\n"
    t["bool_like.csv"] = b"a,b\nTRUE,yes\nFALSE,no\nTrue,y\n"
    t["id_column.csv"] = ("id,x\n" + "".join(f"{i},{i % 3}\n" for i in range(100))).encode()
    t["json_not_csv.json"] = b'{"a": [1, 2], "b": [3, 4]}'
    t["fake_parquet.parquet"] = b"PAR1" + b"\x00" * 32 + b"PAR1"
    t["truncated_parquet.parquet"] = b"PAR1garbage"
    t["excel_named.xlsx"] = b"PK\x03\x04not really excel"
    t["no_extension"] = good.encode()
    t["dot_dot_name..csv"] = good.encode()
    return t


def graphs() -> dict[str, str]:
    g: dict[str, str] = {}
    g["ok_dagitty.txt"] = "dag {\n  X -> Y\n  Z -> X\n  Z -> Y\n}\n"
    g["cycle_two.txt"] = "dag { A -> B\n B -> A }"
    g["cycle_three.txt"] = "dag { A -> B -> C -> A }"
    g["self_loop.txt"] = "dag { A -> A }"
    g["unbalanced_open.txt"] = "dag { A -> B"
    g["unbalanced_close.txt"] = "dag A -> B }"
    g["unbalanced_nested.txt"] = "dag { A [exposure { -> B } }"
    g["bad_attribute.txt"] = "dag { A [pos=\"x,y\"] A -> B }"
    g["bad_pos.txt"] = "dag { A [pos=\"nan,inf\"] B [pos=\"1e400,-1e400\"] A -> B }"
    g["arrow_only.txt"] = "->"
    g["arrows_no_nodes.txt"] = "dag { -> -> <- <-> -- }"
    g["empty.txt"] = ""
    g["whitespace.txt"] = "   \n\t\n"
    g["only_comment.txt"] = "# nothing here\n// nor here\n"
    g["unicode_names.txt"] = "dag { \u00e9t\u00e9 -> \u6570\u636e\n \u6570\u636e -> \u0391\u03b2 }"
    g["emoji_names.txt"] = "dag { \"\U0001F600\" -> \"\U0001F480\" }"
    g["rtl_override.txt"] = "dag { \"a\u202eb\" -> c }"
    g["zero_width.txt"] = "dag { a\u200b -> a }"
    g["html_names.txt"] = f'dag {{ "{XSS}" -> "{SCRIPT}" }}'
    g["html_names_json.json"] = json.dumps({"nodes": [XSS, SCRIPT], "edges": [[XSS, SCRIPT]]})
    g["html_names_dot.dot"] = f'digraph {{ "{XSS}" -> "{SCRIPT}" }}'
    g["js_url_name.txt"] = 'dag { "javascript:alert(1)" -> Y }'
    g["very_long_name.txt"] = "dag { " + "N" * 100_000 + " -> Y }"
    g["long_name_300.txt"] = "dag { " + "n" * 300 + " -> Y }"
    g["nodes_10000_chain.txt"] = "dag {\n" + "\n".join(f"v{i} -> v{i + 1}" for i in range(9999)) + "\n}\n"
    g["nodes_10000_isolated.txt"] = "dag {\n" + "\n".join(f"v{i}" for i in range(10_000)) + "\n}\n"
    g["edges_dense_60.txt"] = "dag {\n" + "\n".join(
        f"v{i} -> v{j}" for i in range(60) for j in range(i + 1, 60)) + "\n}\n"
    g["deep_nesting.txt"] = "dag " + "{" * 5000 + "A -> B" + "}" * 5000
    g["null_bytes.txt"] = "dag { A\x00 -> B }"
    g["control_chars.txt"] = "dag { A\x07\x1b[31m -> B }"
    g["bidirected_self.txt"] = "dag { A <-> A }"
    g["bidirected_and_directed.txt"] = "dag { A -> B\n A <-> B }"
    g["undirected_edge.txt"] = "dag { A -- B }"
    g["pdag_keyword.txt"] = "pdag { A -> B\n B -- C }"
    g["mag_keyword.txt"] = "mag { A <-> B }"
    g["unknown_keyword.txt"] = "hypergraph { A => B }"
    g["reserved_words.txt"] = "dag { dag -> graph\n node -> edge }"
    g["quoted_unterminated.txt"] = 'dag { "A -> B }'
    g["roles_conflict.txt"] = "dag { A [exposure,outcome] B [latent,adjusted] A -> B }"
    g["roles_unknown.txt"] = "dag { A [weird=1,<script>] A -> B }"
    g["dagitty_bare_edges.txt"] = "A -> B\nB -> C\n"
    # JSON
    g["json_broken.json"] = '{"nodes": ["A", "B"], "edges": [["A", "B"]'
    g["json_wrong_types.json"] = '{"nodes": 5, "edges": "A->B"}'
    g["json_edge_unknown_node.json"] = '{"nodes": ["A"], "edges": [["A", "Z"]]}'
    g["json_edge_triplet.json"] = '{"nodes": ["A", "B"], "edges": [["A", "B", "C"]]}'
    g["json_cycle.json"] = '{"nodes": ["A", "B"], "edges": [["A", "B"], ["B", "A"]]}'
    g["json_nested_deep.json"] = '{"a":' * 3000 + "1" + "}" * 3000
    g["json_nan.json"] = '{"nodes": ["A"], "positions": {"A": [NaN, Infinity]}}'
    g["json_huge_int.json"] = '{"nodes": ["A"], "positions": {"A": [1' + "0" * 5000 + ', 1]}}'
    g["json_null.json"] = "null"
    g["json_list.json"] = '[["A", "B"]]'
    g["json_numeric_names.json"] = '{"nodes": [1, 2], "edges": [[1, 2]]}'
    g["json_duplicate_nodes.json"] = '{"nodes": ["A", "A"], "edges": []}'
    # DOT
    g["dot_broken.dot"] = "digraph { A -> "
    g["dot_undirected.dot"] = "graph { A -- B }"
    g["dot_subgraph.dot"] = "digraph { subgraph cluster_0 { A -> B } B -> C }"
    g["dot_attrs_script.dot"] = 'digraph { A [label="<script>alert(1)</script>", URL="javascript:x"]; A -> B }'
    g["dot_cycle.dot"] = "digraph { A -> B; B -> A }"
    g["dot_html_label.dot"] = 'digraph { A [label=<<b>x</b>>]; A -> B }'
    g["dot_unbalanced.dot"] = "digraph { A -> B; { C -> D }"
    g["dot_edge_chain.dot"] = "digraph { A -> B -> C -> D }"
    g["dot_strict.dot"] = "strict digraph { A -> B; A -> B }"
    # GML
    g["gml_ok.gml"] = 'graph [ directed 1 node [ id 0 label "A" ] node [ id 1 label "B" ] edge [ source 0 target 1 ] ]'
    g["gml_broken.gml"] = "graph [ directed 1 node [ id 0 "
    g["gml_missing_target.gml"] = 'graph [ directed 1 node [ id 0 label "A" ] edge [ source 0 target 9 ] ]'
    g["gml_duplicate_ids.gml"] = 'graph [ node [ id 0 label "A" ] node [ id 0 label "B" ] ]'
    g["gml_undirected.gml"] = 'graph [ directed 0 node [ id 0 label "A" ] node [ id 1 label "B" ] edge [ source 0 target 1 ] ]'
    g["gml_cycle.gml"] = ('graph [ directed 1 node [ id 0 label "A" ] node [ id 1 label "B" ] '
                          'edge [ source 0 target 1 ] edge [ source 1 target 0 ] ]')
    g["gml_html_label.gml"] = f'graph [ directed 1 node [ id 0 label "{XSS}" ] ]'
    # BIF
    g["bif_ok.bif"] = ('network unknown {\n}\nvariable A {\n  type discrete [ 2 ] { yes, no };\n}\n'
                       'variable B {\n  type discrete [ 2 ] { yes, no };\n}\n'
                       'probability ( A ) {\n  table 0.5, 0.5;\n}\n'
                       'probability ( B | A ) {\n  (yes) 0.9, 0.1;\n  (no) 0.2, 0.8;\n}\n')
    g["bif_truncated.bif"] = "network unknown {\n}\nvariable A {\n  type discrete [ 2 ] { yes, no "
    g["bif_bad_probs.bif"] = ('network x {\n}\nvariable A {\n  type discrete [ 2 ] { yes, no };\n}\n'
                              'probability ( A ) {\n  table 1.5, -0.5;\n}\n')
    g["bif_unknown_parent.bif"] = ('network x {\n}\nvariable A {\n  type discrete [ 2 ] { yes, no };\n}\n'
                                   'probability ( A | Q ) {\n  (yes) 0.5, 0.5;\n}\n')
    g["bif_cycle.bif"] = ('network x {\n}\nvariable A {\n  type discrete [ 2 ] { y, n };\n}\n'
                          'variable B {\n  type discrete [ 2 ] { y, n };\n}\n'
                          'probability ( A | B ) {\n  (y) 0.5, 0.5;\n  (n) 0.5, 0.5;\n}\n'
                          'probability ( B | A ) {\n  (y) 0.5, 0.5;\n  (n) 0.5, 0.5;\n}\n')
    g["bif_wrong_count.bif"] = ('network x {\n}\nvariable A {\n  type discrete [ 3 ] { y, n };\n}\n'
                                'probability ( A ) {\n  table 0.5, 0.5;\n}\n')
    # CSV edge lists
    g["edgelist_ok.csv"] = "source,target\nA,B\nB,C\n"
    g["edgelist_cycle.csv"] = "source,target\nA,B\nB,A\n"
    g["edgelist_ragged.csv"] = "source,target\nA\nB,C,D\n"
    g["edgelist_formula.csv"] = "source,target\n=cmd|' /C calc'!A0,B\n"
    g["edgelist_empty_names.csv"] = "source,target\n,\n,B\n"
    return g


def _token(doc: object, version: str = "1") -> str:
    raw = zlib.compress(json.dumps(doc).encode(), 9)
    return f"{version}." + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def links() -> dict[str, str]:
    ok = _token({"v": 1, "g": "dag { X -> Y }"})
    body = ok.split(".", 1)[1]
    out: dict[str, str] = {}
    out["ok_link.txt"] = ok
    out["truncated.txt"] = ok[: len(ok) // 2]
    out["one_char_flipped.txt"] = ok[:-3] + ("A" if ok[-3] != "A" else "B") + ok[-2:]
    out["wrong_version.txt"] = "9." + body
    out["no_version.txt"] = body
    out["empty_body.txt"] = "1."
    out["not_base64.txt"] = "1.!!!!@@@@####"
    out["base64_not_zlib.txt"] = "1." + base64.urlsafe_b64encode(b"hello world").decode()
    out["zlib_not_json.txt"] = "1." + base64.urlsafe_b64encode(zlib.compress(b"not json")).decode()
    out["zlib_not_utf8.txt"] = "1." + base64.urlsafe_b64encode(zlib.compress(b"\xff\xfe\xfd")).decode()
    out["json_list.txt"] = _token([1, 2, 3])
    out["json_no_graph.txt"] = _token({"v": 1})
    out["graph_not_string.txt"] = _token({"v": 1, "g": 42})
    out["version_mismatch_inside.txt"] = _token({"v": 2, "g": "dag { X -> Y }"})
    out["cyclic_graph.txt"] = _token({"v": 1, "g": "dag { A -> B\n B -> A }"})
    out["unparseable_graph.txt"] = _token({"v": 1, "g": "dag { A -> "})
    out["xss_node.txt"] = _token({"v": 1, "g": f'dag {{ "{XSS}" -> Y }}'})
    out["sample_not_string.txt"] = _token({"v": 1, "g": "dag { X -> Y }", "s": ["kidney_stones"]})
    out["unknown_sample.txt"] = _token({"v": 1, "g": "dag { X -> Y }", "s": "../../etc/passwd"})
    out["page_not_string.txt"] = _token({"v": 1, "g": "dag { X -> Y }", "p": {"a": 1}})
    out["unknown_page.txt"] = _token({"v": 1, "g": "dag { X -> Y }", "p": "javascript:alert(1)"})
    out["extra_not_dict.txt"] = _token({"v": 1, "g": "dag { X -> Y }", "x": [1]})
    out["extra_values_not_str.txt"] = _token({"v": 1, "g": "dag { X -> Y }", "x": {"k": 1}})
    out["zip_bomb.txt"] = "1." + base64.urlsafe_b64encode(zlib.compress(b" " * 5_000_000, 9)).decode()
    out["very_long.txt"] = "1." + "A" * 200_000
    out["unicode_token.txt"] = "1.\u00e9\u00e9\u00e9\U0001F600"
    out["whitespace_token.txt"] = "   "
    out["dots_many.txt"] = "1.1.1.1." + body
    out["huge_graph_in_link.txt"] = _token({"v": 1, "g": "dag {" + " ".join(f"v{i}" for i in range(3000)) + "}"})
    out["deep_nested_json.txt"] = "1." + base64.urlsafe_b64encode(
        zlib.compress(b"[" * 100_000 + b"]" * 100_000, 9)).decode().rstrip("=")
    out["huge_int_json.txt"] = "1." + base64.urlsafe_b64encode(
        zlib.compress(b'{"v": 1' + b"0" * 5000 + b', "g": "x"}', 9)).decode().rstrip("=")
    return out


def main() -> None:
    for sub, files, binary in (("tables", tables(), True), ("graphs", graphs(), False),
                               ("links", links(), False)):
        folder = HERE / sub
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        for name, content in files.items():
            path = folder / name
            if binary:
                path.write_bytes(content)
            else:
                path.write_bytes(content.encode("utf-8", "surrogatepass"))
    total = sum(p.stat().st_size for p in HERE.rglob("*") if p.is_file())
    count = sum(1 for sub in ("tables", "graphs", "links") for _ in (HERE / sub).iterdir())
    print(f"{count} corpus files, {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
