"""Regex building blocks shared by the entity and quotation extractors."""

from __future__ import annotations

import re


def trie_alternation(words: tuple[str, ...] | list[str]) -> str:
    """A regex group matching exactly the given words, factored by common prefix so the engine tries few branches.

    At one position the words that match are prefixes of one another, and optional tails are greedy, so the
    longest is tried first, as in a longest-first alternation.
    """
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def render(node: dict) -> str:
        branches = [re.escape(ch) + render(child) for ch, child in node.items() if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and len(branches[0]) == 1 else "(?:" + "|".join(branches) + ")"
        return body + "?" if "" in node else body

    return "(?:" + render(trie) + ")"
