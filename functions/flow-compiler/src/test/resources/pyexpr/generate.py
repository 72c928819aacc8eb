"""Writes python_semantics.tsv: expression <TAB> repr of what CPython computes (or !ErrorType when it raises).

ConstantFolderTest evaluates every expression with Flowgate's folder and expects the same. Regenerate after adding
cases:  python3 functions/flow-compiler/src/test/resources/pyexpr/generate.py
Only Python 3.11 syntax here (the machine's interpreter); Python 3.12 f-string forms are tested in Java directly.
"""
import pathlib

NAMES = {"MEMORY": 12288, "CPU": 4, "NAME": "train", "RATE": 0.5, "TAGS": ["a", "b"], "LIMITS": {"cpu": 8, "gpu": 1},
         "PAIR": (1, "x"), "NOTHING": None, "ON": True}

CASES = r"""
1 + 2
7 - 10
6 * 7
7 / 2
10 / 5
-7 / 2
7 // 2
-7 // 2
7 // -2
-7 % 3
7 % -3
-7 % -3
7.5 // 2
-7.5 // 2
7.5 % -2
-7.5 % 2
0.1 + 0.2
1 / 3
2 ** 10
2 ** -2
(-2) ** 3
-2 ** 2
2 ** 0.5
10 ** 20
2 ** 63 / 3
(2 ** 64 + 1) / 7
9007199254740993 / 1
0 ** 0
0.0 ** 0
1e308 * 10
-1e308 * 10
True + True
True * 3
-True
~5
~-1
+3
5 & 3
5 | 3
5 ^ 3
1 << 10
-17 >> 2
1 << 0
'ab' + 'cd'
'ab' * 3
3 * 'ab'
-1 * 'ab'
0 * 'ab'
[1] * 3
(1, 2) * 2
[1, 2] + [3]
(1,) + (2,)
'a' < 'b'
'B' < 'a'
'abc' < 'abd'
[1, 2] < [1, 3]
(1, 2) < (1, 2, 0)
1 == 1.0
1 == True
'1' == 1
[1] == (1,)
1 < 2.5 < 3
3 > 2 > 2
1 != 2
2 ** 53 + 1 > float(2 ** 53)
'b' in 'abc'
'x' not in 'abc'
2 in [1, 2]
'cpu' in LIMITS
3 in LIMITS
None is None
NOTHING is not None
ON is True
0 or 'x'
'' or 0
1 and 0
1 and 'y'
not 0
not 'x'
None or [] or 'last'
'yes' if CPU > 2 else 'no'
'yes' if CPU > 8 else 'no'
1 if 0 else 2 if 0 else 3
f'{NAME}-{CPU}'
f'{MEMORY // 1024}G'
f'{RATE:.3f}'
f'{RATE:%}'
f'{RATE:.1%}'
f'{CPU:04d}'
f'{CPU:>6}|'
f'{CPU:<6}|'
f'{CPU:^6}|'
f'{CPU:*^7}'
f'{NAME:>10}'
f'{NAME:.2}'
f'{NAME!r}'
f'{NAME!s}'
f'{NAME!a}'
f'{"héllo"!a}'
f'{CPU=}'
f'{CPU = }'
f'{NAME=:>8}'
f'{1234567:,}'
f'{1234567:_}'
f'{255:#x}'
f'{255:#X}'
f'{255:#o}'
f'{255:#b}'
f'{255:_b}'
f'{65:c}'
f'{-42:+d}'
f'{42:+d}'
f'{42: d}'
f'{-3.5:=+10.1f}'
f'{3.5:010.2f}'
f'{-3.5:010.2f}'
f'{12345.678:,.2f}'
f'{1e16}'
f'{1e16:>10}'
f'{0.0001:g}'
f'{0.00001:g}'
f'{123456789.0:g}'
f'{123456.0:g}'
f'{1.5:.0f}'
f'{2.5:.0f}'
f'{0.125:.2f}'
f'{0.375:.2f}'
f'{0.1:.20f}'
f'{1234.5:.2}'
f'{12.0:.3}'
f'{100.0:.3}'
f'{3.0:g}'
f'{3.0:#g}'
f'{1e-7:.2e}'
f'{12345.6789:E}'
f'{0.0:e}'
f'{5:%}'
f'{5:.2f}'
f'{5:e}'
f'{True}'
f'{True:d}'
f'{True:>5}'
f'{None}'
f'{[1, "a"]}'
f'{LIMITS}'
f'{PAIR}'
f'{-0.0:z.1f}'
f'{-0.0:.1f}'
f'{float("inf")}'
f'{float("nan"):f}'
f'{float("-inf"):F}'
f'{"x":0>3}'
f'{"ab":05}'
f'{5:<05}'
f'{CPU:{CPU}}|'
f'{RATE:.{CPU}f}'
f'{{literal}} {CPU}'
f'a\tb{CPU}'
f'{CPU}' f'{NAME}' 'plain'
'plain' f'{CPU}'
f'{"nested"}'
f"{LIMITS['cpu']}"
f'{TAGS[0]}{TAGS[-1]}'
f'{PAIR[1] * 3}'
f'{len(TAGS)} tags'
len('héllo')
len([1, 2, 3])
len({'a': 1})
len((1,))
len('')
int(3.9)
int(-3.9)
int('42')
int(' -7 ')
int('1_000')
int('ff', 16)
int('0x1f', 0)
int('0b101', 0)
int('z', 36)
int(True)
int()
int('1.5')
int('')
int(float('inf'))
int(2.5e20)
float(3)
float('1e3')
float(' 2.5 ')
float('1_0.5')
float('inf')
float('-Infinity')
float(True)
float()
float('abc')
float('1e')
str(3)
str(2.0)
str(-0.0)
str(1e100)
str(1e22)
str(123456789012345678.0)
str(0.000123)
str(None)
str(True)
str([1, 'a', None, 1.5])
str((1,))
str({'a': (1, 2)})
str()
str('it\'s')
str(['it\'s'])
str(['a"b\'c'])
str(['a\nb', 'tab\t'])
min(3, 1, 2)
max(3, 1, 2)
min([3, 1, 2])
max('abc')
max(1, 2.0, 2)
max(2, 2.0)
min([], default=7)
max([(1, 'b'), (1, 'a')])
max([])
min(1, 'a')
max(TAGS)
min(LIMITS)
round(0.5)
round(1.5)
round(2.5)
round(-2.5)
round(-0.5)
round(2.675, 2)
round(25, -1)
round(35, -1)
round(1234.5, -2)
round(-0.001, 2)
round(5, None)
round(True)
round(2.5, 0)
round(7, 2)
round(123456, -10)
round(3.14159, 3)
round(1e300, 2)
round(float('inf'))
round(float('nan'))
abs(-3)
abs(-2.5)
abs(-0.0)
abs(True)
{**LIMITS, 'gpu': 2}
{'cpu': 1, **LIMITS}
{**LIMITS, **{'memory': MEMORY}}
{1: 'a', True: 'b'}
{1.0: 'x', 1: 'y'}
LIMITS | {'cpu': 2}
[*TAGS, 'c']
(*TAGS,)
[*'ab', *PAIR]
LIMITS['cpu']
LIMITS['disk']
TAGS[1]
TAGS[-1]
TAGS[5]
'abc'[1]
'abcdef'[1:4]
'abcdef'[::2]
'abcdef'[::-1]
'abcdef'[-2:]
'abcdef'[4:1:-1]
[1, 2, 3, 4][1:3]
(1, 2, 3)[-5:10]
[1, 2, 3][::0]
MEMORY * 2
MEMORY // 1024
MEMORY / 1024
MEMORY * RATE
MEMORY + CPU * 1024
MEMORY % 5000
NAME + '-' + str(CPU)
NAME.upper() if False else NAME
1 / 0
1 // 0
1 % 0
1.0 / 0
1.0 // 0.0
1.0 % 0
0 ** -1
0.0 ** -1
'a' + 1
1 + 'a'
'a' - 'b'
[1] + (2,)
'a' * 'b'
'a' * 2.0
-'a'
~1.5
None + 1
'a' < 1
None < None
[] < ()
1 in 'abc'
3 in 5
{[1]: 2}
{**TAGS}
10 ** 400 / 10 ** 399
2 ** 1000 * 1.0
10 ** -400
1e200 ** 2
1 < 2 == 2
[1, 2] == [1, 2.0]
{'a': 1} == {'a': 1.0}
(1, 'a') < (1, 'b')
float('nan') == float('nan')
float('nan') < 1
1 if None else 'none is falsy'
""".strip().splitlines()

out = []
for expr in CASES:
    try:
        value = repr(eval(expr, {"__builtins__": __builtins__}, dict(NAMES)))
    except Exception as e:  # noqa: BLE001 - the error type is the expectation
        value = "!" + type(e).__name__
    if "\t" in expr or "\n" in value or "\t" in value:
        raise SystemExit(f"unusable case: {expr}")
    out.append(f"{expr}\t{value}")
path = pathlib.Path(__file__).with_name("python_semantics.tsv")
path.write_text("\n".join(out) + "\n", encoding="utf-8")
print(f"{len(out)} cases -> {path}")
