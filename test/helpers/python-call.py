"""Reads the README's Python example with Python's own parser and prints, as JSON, the arguments of
its `agent_identity.Agent(...)` call: keywords turned back into schema names (snake_case to
camelCase) and every `agent_identity.<Type>Args(...)` into {"$type": "<Type>", ...fields}.
Anything else (a variable, an expression) is refused: the example must be plain data."""
import ast
import json
import sys


def camel(name):
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def value(node):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.List):
        return [value(item) for item in node.elts]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr.endswith("Args"):
        if node.args:
            raise ValueError(f"{node.func.attr}: positional arguments")
        return {"$type": node.func.attr[: -len("Args")], **{camel(k.arg): value(k.value) for k in node.keywords}}
    raise ValueError(f"line {node.lineno}: not plain data: {ast.dump(node)[:80]}")


tree = ast.parse(sys.stdin.read())
calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "Agent"]
if len(calls) != 1:
    raise SystemExit(f"expected one agent_identity.Agent(...) call, found {len(calls)}")
call = calls[0]
name = value(call.args[0])
exports = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "export"]
print(json.dumps({
    "module": call.func.value.id,
    "imports": [[a.name, a.asname] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names],
    "name": name,
    "args": {camel(k.arg): value(k.value) for k in call.keywords},
    "exports": [camel(e.args[1].attr) for e in exports if isinstance(e.args[1], ast.Attribute)],
}))
