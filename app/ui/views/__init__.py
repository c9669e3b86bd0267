"""Page sections that more than one page could show, each one function (issue 20)."""
