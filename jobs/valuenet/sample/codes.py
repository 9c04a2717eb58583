"""Integer codes the generator works with: positions in the vocabularies of ``vocab``."""

from __future__ import annotations

# org types (index into vocab.ORG_TYPES)
ENT, INV, UNI, RI, GOV, ALL, OTH = range(7)
# node kinds (index into vocab.KINDS)
SAMPLE, RELATION = 0, 1
# relation types (index into vocab.RELATIONS)
TC, HC, IV = 0, 1, 2
