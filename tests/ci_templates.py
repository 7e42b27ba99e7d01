#!/usr/bin/env python3
"""The checks of tests/ci_templates.sh: the pipeline templates in ci/
parse, have the shape docs/ci.md describes, and every duplex command line
in them uses only commands and options that `duplex ... --help` documents.

Usage: ci_templates.py ROOT DUPLEX.  One line a check on stdout:
VERDICT<TAB>NAME<TAB>DETAIL, VERDICT one of ok, fail, skip."""
import os
import re
import subprocess
import sys

import yaml

ROOT, DUPLEX = sys.argv[1], sys.argv[2]

# An invocation of duplex in a script: "$DUPLEX" (the templates' name for
# build/duplex) or a path ending in build/duplex, then the command word.
INVOKE = re.compile(
    r'(?:"\$\{?DUPLEX\}?"|\$\{?DUPLEX\}?(?!\w)|"?[^\s"\'=]*/build/duplex"?)'
    r'[ \t]+([a-z][\w-]*)(.*)')
# An option word; not the "-" of "${VAR:-default}" nor one inside a word.
OPTION = re.compile(r'(?<![\w/.$:-])(--?[A-Za-z][\w-]*)')
# GitHub's ${{ expressions }}, which bash would not parse.
EXPRESSION = re.compile(r'\$\{\{.*?\}\}')


def emit(verdict, name, detail=""):
    detail = " / ".join(str(detail).splitlines())
    print(f"{verdict}\t{name}\t{detail}", flush=True)


def check(ok, name, detail=""):
    emit("ok" if ok else "fail", name, "" if ok else detail)


_helps = {}


def help_of(words):
    """What `duplex WORDS... --help` prints (stdout and stderr)."""
    if words not in _helps:
        try:
            p = subprocess.run([DUPLEX, *words, "--help"], capture_output=True,
                               text=True, timeout=30)
            _helps[words] = p.stdout + p.stderr
        except (OSError, subprocess.TimeoutExpired) as e:
            _helps[words] = f"cannot run {DUPLEX}: {e}"
    return _helps[words]


def commands():
    """The commands `duplex --help` lists (two-space indented, then a
    description, after its "commands:" line)."""
    text = help_of(())
    section = text.split("commands:", 1)[1] if "commands:" in text else ""
    section = section.split("\n\n", 1)[0]
    return set(re.findall(r'^  ([a-z][\w-]*)  ', section, re.M))


def flatten(items):
    if isinstance(items, str):
        yield items
    elif isinstance(items, list):
        for i in items:
            yield from flatten(i)


def invocations(script):
    """(command, option words, rest of the command) for every duplex
    command line in a shell script.  COMMAND is "test" or, for a command
    with subcommands, "results merge"."""
    script = re.sub(r'\\\n\s*', ' ', script)
    for line in script.splitlines():
        for m in INVOKE.finditer(line):
            cmd = m.group(1)
            rest = re.split(r'&&|\|\||[;|&`)]', m.group(2))[0]
            words = rest.split()
            if words and re.fullmatch(r'[a-z][\w-]*', words[0]) and \
                    is_subcommand(cmd, words[0]):
                cmd = f"{cmd} {words[0]}"
                rest = rest.split(None, 1)[1] if len(words) > 1 else ""
            yield cmd, OPTION.findall(rest), rest


def is_subcommand(cmd, word):
    return cmd in commands() and documented(f"{cmd} {word}")


def check_cli(label, scripts):
    """Every duplex command and option in SCRIPTS against --help."""
    seen = set()
    for script in scripts:
        for cmd, options, _ in invocations(script):
            if cmd not in seen:
                seen.add(cmd)
                check_command(label, cmd)
            for opt in options:
                if (cmd, opt) not in seen:
                    seen.add((cmd, opt))
                    check_option(label, cmd, opt)
    check(seen, f"{label}: has duplex command lines to check",
          "no \"$DUPLEX\" ... or build/duplex ... command line found")


def documented(cmd):
    top = cmd.split()[0]
    if top not in commands():
        return False
    return " " not in cmd or cmd_help(cmd) != ""


def cmd_help(cmd):
    """The --help of CMD; for "results merge", that of `duplex results
    merge --help` or, when only `duplex results --help` shows `duplex
    results merge`, that one; "" when neither documents it."""
    if " " not in cmd:
        return help_of((cmd,))
    top, sub = cmd.split(None, 1)
    text = help_of((top, sub))
    if text.startswith(f"usage: duplex {cmd}"):
        return text
    text = help_of((top,))
    return text if re.search(r'\bduplex ' + re.escape(cmd) + r'(?![\w-])', text) else ""


def check_command(label, cmd):
    name = f"{label}: 'duplex {cmd}' is a command 'duplex --help' documents"
    if documented(cmd):
        emit("ok", name)
    else:
        emit("fail", name, f"build/duplex has no command '{cmd}'; it has: {' '.join(sorted(commands()))}")


def check_option(label, cmd, opt):
    name = f"{label}: 'duplex {cmd} {opt}' is in 'duplex {cmd} --help'"
    if not documented(cmd):
        emit("fail", name, f"'duplex {cmd}' is not a documented command")
        return
    text = cmd_help(cmd)
    if re.search(r'(?<![\w-])' + re.escape(opt) + r'(?![\w-])', text):
        emit("ok", name)
    else:
        emit("fail", name, f"{opt} is not in 'duplex {cmd} --help', whose usage is: {text.splitlines()[0] if text else ''}")


def check_bash(label, scripts):
    bad = []
    for s in scripts:
        p = subprocess.run(["bash", "-n"], input=EXPRESSION.sub("X", s),
                           capture_output=True, text=True)
        if p.returncode != 0:
            bad.append(f"{p.stderr.strip()} in: {s.strip()[:200]}")
    check(not bad, f"{label}: every script is valid bash (bash -n)", "; ".join(bad))


def check_setup(label, scripts):
    text = "\n".join(scripts)
    check(re.search(r'\bmake\b[^\n]*\bdeps\b', text) and
          re.search(r'\bmake\b[^\n]*\bharness\b', text),
          f"{label}: sets duplex up as its README says (make deps, make harness)",
          "no 'make ... deps' and 'make ... harness' line")


def load(label, path):
    try:
        with open(path) as f:
            doc = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        check(False, f"{label}: parses as YAML", e)
        return None
    check(isinstance(doc, dict), f"{label}: parses as YAML", "not a mapping")
    return doc if isinstance(doc, dict) else None


def merged(base, over):
    """GitLab's extends: mappings merge key by key, the rest is replaced."""
    out = dict(base)
    for k, v in over.items():
        out[k] = merged(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def gitlab_jobs(doc):
    raw = {k: v for k, v in doc.items() if isinstance(v, dict) and
           k not in ("variables", "default", "workflow", "include", "cache")}

    def resolve(name, depth=0):
        job = raw[name]
        parents = job.get("extends", [])
        parents = [parents] if isinstance(parents, str) else parents
        base = {}
        for p in parents:
            if p in raw and depth < 10:
                base = merged(base, resolve(p, depth + 1))
        return merged(base, job)
    return {k: resolve(k) for k in raw}


def job_scripts(job):
    return [s for key in ("before_script", "script", "after_script")
            for s in flatten(job.get(key, []))]


def find_invocation(scripts, cmd):
    for s in scripts:
        for c, options, rest in invocations(s):
            if c == cmd:
                return options, rest
    return None


def output_dir(rest):
    m = re.search(r'(?<!\S)(?:-o|--output)\s+"?([^\s"]+)', rest)
    return m.group(1).rstrip("/") if m else None


def check_gitlab(path):
    label = "gitlab-ci.yml"
    doc = load(label, path)
    if doc is None:
        return None
    jobs = gitlab_jobs(doc)
    real = {k: v for k, v in jobs.items() if not k.startswith(".")}
    shards = [k for k, v in real.items() if v.get("parallel") == 4]
    check(len(shards) == 1, f"{label}: one job runs in 4 shards (parallel: 4)",
          f"jobs with parallel: 4: {shards}")
    if len(shards) != 1:
        return doc
    test_name, test = shards[0], real[shards[0]]
    scripts = job_scripts(test)
    inv = find_invocation(scripts, "test")
    check(inv and "--shard" in inv[0] and "CI_NODE_INDEX" in inv[1] and "CI_NODE_TOTAL" in inv[1],
          f"{label}: the shard job runs duplex test --shard $CI_NODE_INDEX/$CI_NODE_TOTAL",
          f"its duplex test line: {inv}")
    arts = test.get("artifacts") or {}
    paths = list(flatten(arts.get("paths", [])))
    prefixes = [re.split(r'[*$]', p)[0] for p in paths]
    check(paths and all(p and p in "\n".join(scripts) for p in prefixes) and arts.get("when") == "always",
          f"{label}: the shard job keeps its results directory as artifacts, pass or fail",
          f"artifacts: {arts}")

    merges = [k for k, v in real.items() if find_invocation(job_scripts(v), "results merge")]
    check(len(merges) == 1, f"{label}: one job runs duplex results merge", f"jobs: {merges}")
    if len(merges) != 1:
        return doc
    merge = real[merges[0]]
    needs = [n if isinstance(n, str) else (n or {}).get("job") for n in merge.get("needs", [])]
    check(test_name in needs, f"{label}: the merge job needs the shard job ({test_name})",
          f"needs: {merge.get('needs')}")
    _, rest = find_invocation(job_scripts(merge), "results merge")
    check(any(p and p in rest for p in prefixes),
          f"{label}: the merge job merges the shards' artifacts",
          f"artifacts {paths}, merge line: {rest}")
    out = output_dir(rest)
    marts = merge.get("artifacts") or {}
    junit = (marts.get("reports") or {}).get("junit")
    mpaths = [p.rstrip("/") for p in flatten(marts.get("paths", []))]
    check(out and junit == f"{out}/junit.xml" and
          (out in mpaths or f"{out}/report.html" in mpaths) and marts.get("when") == "always",
          f"{label}: the merge job publishes junit.xml (artifacts: reports: junit) and report.html, pass or fail",
          f"merge -o {out}; artifacts: {marts}")
    rules = merge.get("rules") or []
    check(any(isinstance(r, dict) and r.get("when") == "always" for r in rules),
          f"{label}: the merge job runs whatever the shards' verdicts (when: always)",
          f"rules: {rules}")
    for name in (test_name, merges[0]):
        conds = " ".join(str(r.get("if", "")) for r in real[name].get("rules") or [] if isinstance(r, dict))
        check(re.search(r'\$CI_PIPELINE_SOURCE\s*==\s*"schedule"', conds),
              f"{label}: {name} runs in scheduled pipelines", f"rules: {real[name].get('rules')}")
    # A hidden job's scripts are also those of the jobs extending it.
    all_scripts = list(dict.fromkeys(s for v in jobs.values() for s in job_scripts(v)))
    check_setup(label, job_scripts(test))
    check_bash(label, all_scripts)
    check_cli(label, all_scripts)
    return doc


def uses(step, action):
    return isinstance(step, dict) and str(step.get("uses", "")).startswith(action + "@")


def runs_anyway(cond):
    return "always()" in str(cond) or "!cancelled()" in str(cond)


def check_github(path):
    label = "github-actions.yml"
    doc = load(label, path)
    if doc is None:
        return None
    on = doc.get("on", doc.get(True)) or {}  # YAML 1.1 reads a bare on as true
    check(isinstance(on, dict) and "workflow_dispatch" in on and
          any("cron" in s for s in on.get("schedule") or []),
          f"{label}: runs on a schedule (cron) and by hand (workflow_dispatch)", f"on: {on}")
    jobs = doc.get("jobs") or {}
    shards = [k for k, v in jobs.items()
              if ((v.get("strategy") or {}).get("matrix") or {}).get("shard") == [1, 2, 3, 4]]
    check(len(shards) == 1, f"{label}: one job has a matrix of 4 shards (shard: [1, 2, 3, 4])",
          f"jobs with it: {shards}")
    if len(shards) != 1:
        return doc
    test_name, test = shards[0], jobs[shards[0]]
    steps = test.get("steps") or []
    scripts = [s["run"] for s in steps if isinstance(s, dict) and "run" in s]
    inv = find_invocation(scripts, "test")
    m = inv and re.search(r'--shard\s+"?\$\{\{\s*matrix\.shard\s*\}\}/(\d+)', inv[1])
    check(m and int(m.group(1)) == 4,
          f"{label}: the shard job runs duplex test --shard ${{{{ matrix.shard }}}}/4",
          f"its duplex test line: {inv}")
    ups = [s for s in steps if uses(s, "actions/upload-artifact")]
    check(any("matrix.shard" in str((s.get("with") or {}).get("name")) and runs_anyway(s.get("if"))
              for s in ups),
          f"{label}: each shard uploads its results directory (actions/upload-artifact), pass or fail",
          f"upload steps: {ups}")

    merges = [k for k, v in jobs.items()
              if find_invocation([s["run"] for s in v.get("steps") or [] if isinstance(s, dict) and "run" in s],
                                 "results merge")]
    check(len(merges) == 1, f"{label}: one job runs duplex results merge", f"jobs: {merges}")
    if len(merges) != 1:
        return doc
    merge = jobs[merges[0]]
    needs = merge.get("needs")
    needs = [needs] if isinstance(needs, str) else needs or []
    check(test_name in needs, f"{label}: the merge job needs the shard job ({test_name})", f"needs: {needs}")
    msteps = merge.get("steps") or []
    check(any(uses(s, "actions/download-artifact") for s in msteps),
          f"{label}: the merge job downloads the shards' artifacts (actions/download-artifact)",
          "no actions/download-artifact step")
    mscripts = [s["run"] for s in msteps if isinstance(s, dict) and "run" in s]
    _, rest = find_invocation(mscripts, "results merge")
    out = output_dir(rest)
    reporters = [s for s in msteps if uses(s, "mikepenz/action-junit-report") or uses(s, "dorny/test-reporter")]
    reported = " ".join(str((s.get("with") or {}).get(k)) for s in reporters for k in ("report_paths", "path"))
    uploaded = " ".join(str((s.get("with") or {}).get("path")) for s in msteps if uses(s, "actions/upload-artifact"))
    check(out and f"{out}/junit.xml" in reported and
          (re.search(re.escape(out) + r'/?(\s|$)', uploaded) or f"{out}/report.html" in uploaded) and
          all(runs_anyway(s.get("if")) for s in reporters),
          f"{label}: the merge job publishes junit.xml (a JUnit action) and uploads report.html, pass or fail",
          f"merge -o {out}; JUnit steps: {reporters}; uploaded: {uploaded}")
    check(runs_anyway(merge.get("if")),
          f"{label}: the merge job runs whatever the shards' verdicts (if: always() or !cancelled())",
          f"if: {merge.get('if')}")
    all_scripts = list(dict.fromkeys(s["run"] for v in jobs.values() for s in v.get("steps") or []
                                     if isinstance(s, dict) and "run" in s))
    check_setup(label, scripts)
    check_bash(label, all_scripts)
    check_cli(label, all_scripts)
    return doc


def check_variables(gitlab, github):
    """Both templates offer the same settings, and docs/ci.md names each."""
    if gitlab is None or github is None:
        return
    a = set((gitlab.get("variables") or {}).keys())
    b = set((github.get("env") or {}).keys())
    check(a == b and {"KSRC", "DUPLEX_SCENARIOS", "DUPLEX_PROFILE", "DUPLEX_TAGS"} <= a,
          "both templates set the same variables (KSRC, DUPLEX_SCENARIOS, DUPLEX_PROFILE, DUPLEX_TAGS ...)",
          f"only in gitlab-ci.yml: {sorted(a - b)}; only in github-actions.yml: {sorted(b - a)}")
    try:
        with open(os.path.join(ROOT, "docs/ci.md")) as f:
            doc = f.read()
    except OSError as e:
        doc = ""
        check(False, "docs/ci.md names every variable of the templates", e)
        return
    missing = sorted(v for v in a | b if f"`{v}`" not in doc)
    check(not missing, "docs/ci.md names every variable of the templates", f"not in docs/ci.md: {missing}")


def main():
    gitlab = check_gitlab(os.path.join(ROOT, "ci/gitlab-ci.yml"))
    github = check_github(os.path.join(ROOT, "ci/github-actions.yml"))
    check_variables(gitlab, github)


main()
