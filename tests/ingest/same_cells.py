"""Cell equality for comparing two readers of the same workbook (test helper)."""

import math


def same(a, b) -> bool:
    """Equal cells of the same type: NaN equal to NaN, -0.0 apart from 0.0, 1 apart from 1.0 and True."""
    if type(a) is not type(b):
        return False
    if type(a) is float:
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    return a == b
