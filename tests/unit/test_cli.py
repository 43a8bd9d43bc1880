"""Local tools fail with a cause and a next step; `make up` decides "embedded or not" from the environment given."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from botocore.exceptions import EndpointConnectionError

from infra import cli, deploy
from infra.config import Target, default_target
from infra.steps import cause_line, run


def test_given_no_aws_endpoint_url_then_the_target_is_the_embedded_emulator_on_deepiri_port() -> None:
    target = default_target({"DEEPIRI_PORT": "4599", "STAGE": "dev"})

    assert target.embedded
    assert target.endpoint == "http://127.0.0.1:4599"
    assert target.state_dir.name == "4599"


def test_given_an_aws_endpoint_url_then_the_target_is_that_external_endpoint() -> None:
    target = default_target({"AWS_ENDPOINT_URL": "http://localhost:4566"})

    assert not target.embedded
    assert target.endpoint == "http://localhost:4566"


def test_given_a_state_dir_then_the_emulator_keeps_its_state_there(tmp_path: Path) -> None:
    assert default_target({"DEEPIRI_STATE_DIR": str(tmp_path)}).state_dir == tmp_path


def test_given_a_port_that_is_not_a_number_then_the_error_names_it() -> None:
    with pytest.raises(SystemExit, match="DEEPIRI_PORT='abc' is not a port number"):
        default_target({"DEEPIRI_PORT": "abc"})


def test_given_make_up_with_nothing_running_then_the_embedded_emulator_is_started_before_the_deploy(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Regression: activating the target set AWS_ENDPOINT_URL, after which "embedded?" answered no.
    calls: list[str] = []
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("DEEPIRI_PORT", "4598")
    monkeypatch.setattr(sys, "argv", ["deploy", "--up"])
    monkeypatch.setattr(deploy.emulator, "start", lambda target: calls.append(f"start {target.endpoint}"))
    monkeypatch.setattr(deploy, "build_and_deploy", lambda target: calls.append("deploy"))
    monkeypatch.setattr(deploy.urls, "show", lambda target: calls.append("urls"))

    deploy.main()

    assert calls == ["start http://127.0.0.1:4598", "deploy", "urls"]


def test_given_an_external_endpoint_that_does_not_answer_then_make_up_stops_before_building(
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setattr(sys, "argv", ["deploy", "--up"])
    monkeypatch.setattr(deploy.emulator, "start", lambda target: calls.append("start"))
    monkeypatch.setattr(deploy.emulator, "answers", lambda target: False)
    monkeypatch.setattr(deploy, "build_and_deploy", lambda target: calls.append("deploy"))

    with pytest.raises(cli.ToolError, match=r"AWS_ENDPOINT_URL=http://127.0.0.1:9 does not answer"):
        deploy.main()
    assert calls == []


def test_given_a_failing_command_with_a_log_then_the_error_names_its_cause_line_and_the_log(tmp_path: Path) -> None:
    log = tmp_path / "tool.log"
    script = "print('step 1 ok'); print('Error: the bucket is gone'); print('cleaning up'); raise SystemExit(3)"

    with pytest.raises(cli.ToolError) as failure:
        run([sys.executable, "-c", script], log=log)

    message = str(failure.value.code)
    assert "failed (exit 3): Error: the bucket is gone" in message
    assert str(log) in message
    assert "cleaning up" in log.read_text()


def test_the_cause_line_is_the_last_error_line_or_else_the_last_line() -> None:
    assert cause_line("a\nError: first\nb\nDeploy failed: second\nc\n") == "Deploy failed: second"
    assert cause_line("a\nb\n") == "b"
    assert cause_line("") == "it printed nothing"


def _raise(error: BaseException) -> None:
    raise error


def test_given_an_unreachable_endpoint_when_a_tool_fails_then_two_plain_lines_and_exit_1(
        capsys: pytest.CaptureFixture[str]) -> None:
    error = EndpointConnectionError(endpoint_url="http://127.0.0.1:4597/")

    with pytest.raises(SystemExit) as exited:
        cli.run(lambda: _raise(error), environ={"DEEPIRI_PORT": "4597"})

    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "error: the local stack does not answer on http://127.0.0.1:4597 (the emulator is not running)",
        "  next: run `make up` (or set DEEPIRI_PORT to the port your stack runs on)",
    ]


def test_given_an_unexpected_error_then_its_type_and_the_verbose_hint_are_printed_without_a_traceback(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.run(lambda: _raise(KeyError("RestApiId")), environ={})

    err = capsys.readouterr().err
    assert err.startswith("error: KeyError: 'RestApiId'")
    assert "VERBOSE=1" in err and "Traceback" not in err


def test_given_verbose_then_the_traceback_comes_before_the_plain_lines(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.run(lambda: _raise(KeyError("RestApiId")), environ={"VERBOSE": "1"})

    err = capsys.readouterr().err
    assert err.index("Traceback") < err.index("error: KeyError")


def test_given_a_usage_error_then_its_exit_status_is_kept() -> None:
    with pytest.raises(SystemExit) as exited:
        cli.run(lambda: _raise(SystemExit(2)), environ={})

    assert exited.value.code == 2


def test_an_embedded_target_that_is_unreachable_says_make_up_and_an_external_one_names_its_url() -> None:
    embedded = Target(endpoint="http://127.0.0.1:4566", stage="dev", state_dir=Path("."))
    external = Target(endpoint="http://localstack:4566", stage="dev", state_dir=Path("."), embedded=False)

    assert "run `make up`" in str(cli.unreachable(embedded).code)
    assert "AWS_ENDPOINT_URL=http://localstack:4566 does not answer" in str(cli.unreachable(external).code)


def test_the_deploy_summary_reads_the_changeset_sam_prints() -> None:
    changeset = """
Operation                LogicalResourceId        ResourceType             Replacement
+ Add                    AlarmA                   AWS::CloudWatch::Alarm   N/A
+ Add                    AlarmB                   AWS::CloudWatch::Alarm   N/A
* Modify                 GatewayFunction          AWS::Lambda::Function    False
- Delete                 OldQueue                 AWS::SQS::Queue          N/A
"""
    assert deploy.deploy_summary(changeset) == "2 added, 1 modified, 1 deleted"
    assert deploy.deploy_summary("No changes to deploy. Stack deepiri-dev is up to date") == (
        "no changes: the stack is up to date")


def test_an_external_endpoint_without_a_port_gets_its_scheme_s_default() -> None:
    assert default_target({"AWS_ENDPOINT_URL": "https://localstack.example"}).port == 443
    assert default_target({"AWS_ENDPOINT_URL": "http://localstack:4566/"}).port == 4566
