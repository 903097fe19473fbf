#!/usr/bin/env python3
"""The logic of the coperniq-mock GitHub Action (action.yml at the repository root).

    verify.py install   put coperniq-mock on the job's PATH: the release archive of
                        INPUT_VERSION (checked against the release's checksums.txt), or,
                        with no version, a build of the action's own checkout with Go
    verify.py verify    run `coperniq-mock verify` against INPUT_TARGET, write a Markdown
                        summary to $GITHUB_STEP_SUMMARY and the counts to $GITHUB_OUTPUT,
                        and exit with verify's exit code (0 passed, 1 failed, 2 not judged)

Everything comes from the environment: the inputs action.yml maps to INPUT_* and what the
runner sets (GITHUB_*, RUNNER_*), so a test runs it with a fake one. COPERNIQ_MOCK names
the binary (default: coperniq-mock on PATH); COPERNIQ_MOCK_RELEASES replaces the release
download URL. Standard library only: GitHub's Linux and macOS runners
have python3.
"""

import hashlib
import os
import re
import shlex
import stat
import subprocess
import sys
import tarfile
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
import zipfile

RELEASES = "https://github.com/coperniq-mock/coperniq-mock/releases/download"
MAX_FAILED_ROWS = 50


def env(name, default=""):
    return os.environ.get(name, default).strip()


def append(path_var, text):
    """Appends to one of the runner's files ($GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY, ...)."""
    path = env(path_var)
    if not path:
        return
    with open(path, "a", encoding="utf-8") as f:
        f.write(text)


def set_output(name, value):
    append("GITHUB_OUTPUT", f"{name}={value}\n")


def die(msg, code=2):
    print(f"::error title=coperniq-mock::{msg}", flush=True)
    sys.exit(code)


def platform():
    """The release platform of this runner, as GOOS and GOARCH."""
    goos = {"Linux": "linux", "macOS": "darwin", "Windows": "windows"}.get(env("RUNNER_OS", "Linux"))
    goarch = {"X64": "amd64", "ARM64": "arm64"}.get(env("RUNNER_ARCH", "X64"))
    if not goos or not goarch:
        die(f"no release for RUNNER_OS={env('RUNNER_OS')} RUNNER_ARCH={env('RUNNER_ARCH')}: "
            "releases cover Linux, macOS and Windows on X64 and ARM64; leave `version` empty to build with Go")
    return goos, goarch


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            return r.read()
    except Exception as e:  # noqa: BLE001 - every failure gets the same advice
        die(f"downloading {url}: {e} (is `version` a published release, e.g. v1.2.0?)")


def install():
    bindir = os.path.join(env("RUNNER_TEMP") or os.getcwd(), "coperniq-mock-bin")
    os.makedirs(bindir, exist_ok=True)
    version = env("INPUT_VERSION")
    exe = "coperniq-mock.exe" if os.name == "nt" else "coperniq-mock"
    binary = os.path.join(bindir, exe)
    if version:
        goos, goarch = platform()
        base = env("COPERNIQ_MOCK_RELEASES", RELEASES).rstrip("/")
        name = f"coperniq-mock_{version}_{goos}_{goarch}" + (".zip" if goos == "windows" else ".tar.gz")
        sums = fetch(f"{base}/{version}/checksums.txt").decode()
        want = next((line.split()[0] for line in sums.splitlines() if line.split()[1:] == [name]), None)
        if not want:
            die(f"checksums.txt of {version} lists no {name}")
        archive = fetch(f"{base}/{version}/{name}")
        got = hashlib.sha256(archive).hexdigest()
        if got != want:
            die(f"{name}: SHA-256 {got}, but checksums.txt says {want}: the download is corrupt or was tampered with")
        member = name.rsplit(".zip", 1)[0].rsplit(".tar.gz", 1)[0] + "/" + exe
        path = os.path.join(bindir, name)
        with open(path, "wb") as f:
            f.write(archive)
        if name.endswith(".zip"):
            with zipfile.ZipFile(path) as z:
                data = z.read(member)
        else:
            with tarfile.open(path) as t:
                data = t.extractfile(member).read()
        os.remove(path)
        with open(binary, "wb") as f:
            f.write(data)
    else:
        src = env("GITHUB_ACTION_PATH") or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        stamp = f"-X main.version={env('GITHUB_ACTION_REF') or 'dev'}"
        try:
            rev = subprocess.run(["git", "-C", src, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
            stamp += f" -X main.commit={rev}"
        except (OSError, subprocess.CalledProcessError):
            pass
        build = ["go", "build", "-trimpath", "-ldflags", stamp, "-o", binary, "./cmd/coperniq-mock"]
        print("+ " + " ".join(shlex.quote(a) for a in build), flush=True)
        if subprocess.run(build, cwd=src).returncode != 0:
            die("go build failed (see above)")
    os.chmod(binary, os.stat(binary).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    append("GITHUB_PATH", bindir + "\n")
    set_output("path", binary)
    subprocess.run([binary, "--version"], check=False)


def mask_url(url):
    """The target as the summary shows it: query values replaced by ***."""
    try:
        u = urllib.parse.urlsplit(url)
    except ValueError:
        return "(unparsable URL)"
    q = "&".join(p.split("=", 1)[0] + ("=***" if "=" in p else "") for p in u.query.split("&") if p)
    netloc = u.hostname or ""
    if u.port:
        netloc += f":{u.port}"
    if u.username:
        netloc = "***@" + netloc
    return urllib.parse.urlunsplit((u.scheme, netloc, u.path, q, ""))


URL_FLAGS = ("--target", "--to", "--inspect")
TOKEN_FLAGS = ("--token-param",)


def flag_values(args):
    """Yields (index, flag, value) for the URL and token flags of args, in
    both the `--flag value` and the `--flag=value` forms."""
    for i, a in enumerate(args):
        name, eq, value = a.partition("=")
        if name not in URL_FLAGS + TOKEN_FLAGS:
            continue
        if eq:
            yield i, name, value
        elif i + 1 < len(args):
            yield i + 1, name, args[i + 1]


def shown_args(args):
    """args as the log shows them: URL query values and passwords, and the
    token parameter's value, as ***."""
    shown = list(args)
    for i, flag, value in flag_values(args):
        masked = mask_url(value) if flag in URL_FLAGS else value.split("=", 1)[0] + "=***"
        shown[i] = masked if shown[i] == value else flag + "=" + masked
    return shown


def secret_values(args):
    """The values shown_args hides, for the runner to mask wherever they
    appear; very short ones (a `v=1`) would blot out the log instead."""
    out = []
    for _, flag, value in flag_values(args):
        if flag in URL_FLAGS:
            try:
                u = urllib.parse.urlsplit(value)
            except ValueError:
                continue
            out += [v for _, v in urllib.parse.parse_qsl(u.query, keep_blank_values=True)]
            out += [v for v in (u.password,) if v]
        else:
            out.append(value.split("=", 1)[-1])
    return [v for v in dict.fromkeys(out) if len(v) >= 4]


def cell(text):
    """One Markdown table cell: one line, no pipes, not too long."""
    line = " ".join((text or "").split())
    if len(line) > 240:
        line = line[:237] + "..."
    return line.replace("|", "\\|")


def read_junit(path):
    """Counts and failed specs from a JUnit report, or None if there is none."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return None
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    failed = []
    not_selected = 0
    for case in root.iter("testcase"):
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            counts["failed"] += 1
            name = case.get("name", "")
            if name.startswith("[It] "):
                name = name[len("[It] "):]
            message = problem.get("message") or (problem.text or "")
            lines = [ln.strip() for ln in message.splitlines() if ln.strip()]
            why = lines[0] if lines else ""
            if why.endswith(":") and len(lines) > 1:  # "3 of 3 deliveries were not acknowledged:"
                why += " " + lines[1]
            failed.append((case.get("classname", ""), name, why))
        elif case.find("skipped") is not None or case.get("status") in ("skipped", "pending", "disabled"):
            skip = case.find("skipped")
            # Ginkgo lists specs --focus/--skip left out as skipped with no
            # reason; a spec skipped for a reason says "skipped - <reason>".
            if skip is not None and (skip.get("message") or "").strip() == "skipped" and not (skip.text or "").strip():
                not_selected += 1
            else:
                counts["skipped"] += 1
        else:
            counts["passed"] += 1
    return counts, failed, not_selected


def summary_block(output):
    """The run's own summary: the console from its last "Coperniq contract of" line on
    (the first one heads the run's progress)."""
    lines = output.splitlines()
    start = max((i for i, ln in enumerate(lines) if ln.startswith("Coperniq contract of")), default=None)
    tail = lines[start:] if start is not None else lines[-30:]
    return "\n".join(tail).replace("```", "'''")


def verify():
    target = env("INPUT_TARGET")
    if not target:
        die("the `target` input is required: your receiver's webhook URL, e.g. http://127.0.0.1:8080/webhooks/coperniq")
    token = env("INPUT_TOKEN_PARAM")
    inspect = env("INPUT_INSPECT")
    report_dir = env("INPUT_REPORT_DIR") or "coperniq-reports"
    os.makedirs(report_dir, exist_ok=True)
    junit = os.path.join(report_dir, "coperniq-contract.xml")
    if os.path.exists(junit):
        os.remove(junit)  # a stale report must not pass for this run's
    binary = env("COPERNIQ_MOCK") or "coperniq-mock"

    args = [binary, "verify", "--target", target, "--junit-report", junit, "--no-color"]
    if token:
        args += ["--token-param", token]
    if inspect:
        args += ["--inspect", inspect]
    args += shlex.split(env("INPUT_ARGS"))

    # Keep the secrets out of the log even if something echoes them: the
    # runner hides values from secrets.*, not a token a workflow builds
    # into a URL or passes in args.
    shown = shown_args(args)
    for value in secret_values(args):
        print(f"::add-mask::{value}", flush=True)
    print("+ " + " ".join(shlex.quote(a) for a in shown), flush=True)
    try:
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    except OSError as e:
        die(f"running {binary}: {e} (did the install step run?)")
    output = []
    for line in proc.stdout:
        sys.stdout.write(line)
        output.append(line)
    code = proc.wait()
    output = "".join(output)

    report = read_junit(junit)
    result = {0: "passed", 1: "failed"}.get(code, "not judged")
    icon = {"passed": "✅", "failed": "❌"}.get(result, "⚠️")
    md = [f"## {icon} Coperniq contract: {result}", ""]
    md.append(f"Receiver `{mask_url(target)}`" + (f", inspect hook `{mask_url(inspect)}`" if inspect else "") + f"; exit code {code}.")
    md.append("")
    if report:
        counts, failed, not_selected = report
        if not not_selected:
            # Our JUnit report leaves them out; the console counts them.
            m = re.search(r"^(\d+) specs not selected by --focus/--skip$", output, re.M)
            not_selected = int(m.group(1)) if m else 0
        total = sum(counts.values())
        md += ["| passed | failed | skipped | total |", "|---:|---:|---:|---:|",
               f"| {counts['passed']} | {counts['failed']} | {counts['skipped']} | {total} |", ""]
        if not_selected:
            md += [f"{not_selected} more specs were not selected by `--focus`/`--skip`.", ""]
        if failed:
            # A group column only when the report has groups (JUnit classnames).
            grouped = len({group for group, _, _ in failed}) > 1
            md += [f"### Failed specs ({len(failed)})", ""]
            md += ["| group | spec | why |", "|---|---|---|"] if grouped else ["| spec | why |", "|---|---|"]
            for group, name, why in failed[:MAX_FAILED_ROWS]:
                md.append((f"| {cell(group)} " if grouped else "") + f"| {cell(name)} | {cell(why)} |")
            if len(failed) > MAX_FAILED_ROWS:
                more = f"| … and {len(failed) - MAX_FAILED_ROWS} more | see the JUnit report |"
                md.append(("| " if grouped else "") + more)
            md.append("")
        set_output("passed", counts["passed"])
        set_output("failed", counts["failed"])
        set_output("skipped", counts["skipped"])
    elif code == 2:
        md += ["The receiver was not judged: the run stopped on its setup (target, token or inspect hook).", ""]
    md += ["<details><summary>Run output</summary>", "", "```text", summary_block(output), "```", "", "</details>", ""]
    append("GITHUB_STEP_SUMMARY", "\n".join(md))
    set_output("result", result)
    set_output("exit-code", code)
    set_output("junit-report", junit if report else "")
    return code


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "install":
        install()
    elif cmd == "verify":
        sys.exit(verify())
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
