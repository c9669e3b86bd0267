"""BIF (Bayesian Interchange Format) through pgmpy: structure and, when present, the CPTs."""
from __future__ import annotations

import re
import warnings

from app.errors import ParseError
from app.graph import CausalGraph, show_name


def read_bif_model(text: str):
    """Parse BIF text into a pgmpy DiscreteBayesianNetwork with its CPDs."""
    from pgmpy.readwrite import BIFReader

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = BIFReader(string=text).get_model()
    except Exception as err:  # pgmpy raises many kinds for malformed BIF text
        detail = str(err)[:300].encode("utf-8", "backslashreplace").decode("utf-8")
        raise ParseError(f"This BIF text could not be read ({type(err).__name__}: {detail}).",
                         hint="Check the 'network', 'variable' and 'probability' blocks.") from None
    # pgmpy reads a table such as `0.9, 0.9` without complaint: each distribution must sum to 1
    try:
        model.check_model()
    except Exception as err:  # pgmpy reports a bad table as ValueError (or others)
        detail = str(err)[:200].encode("utf-8", "backslashreplace").decode("utf-8")
        raise ParseError(f"This BIF text has an invalid probability table: {detail}",
                         hint="Each column of a table (one distribution) must sum to 1.") from None
    return model


def parse_bif(text: str) -> CausalGraph:
    model = read_bif_model(text)
    # pgmpy silently drops a block cut short: refuse rather than return a smaller graph
    declared = set(re.findall(r"^\s*variable\s+([^\s{]+)", text, flags=re.MULTILINE))
    missing = sorted(declared - {str(n) for n in model.nodes()})
    if missing or not declared:
        raise ParseError("This BIF text looks cut short or damaged: " + (
            f"the variable(s) {', '.join(map(show_name, missing[:5]))} could not be read." if missing
            else "it declares no variables."),
            hint="Check the 'network', 'variable' and 'probability' blocks.")
    return CausalGraph.from_edges([(str(a), str(b)) for a, b in model.edges()],
                                  nodes=[str(n) for n in model.nodes()])


def write_bif_model(model) -> str:
    """Write a fitted pgmpy model (structure + CPTs) as BIF text."""
    from pgmpy.readwrite import BIFWriter

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return str(BIFWriter(model))
