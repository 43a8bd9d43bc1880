"""Athena: start a query over the archive's Glue table, read its state and rows (domain errors at the edge)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from deepiri_common.problems import NotFound


class Athena:
    def __init__(self, client: Any, database: str, workgroup: str, output: str) -> None:
        self._client, self._database, self._workgroup, self._output = client, database, workgroup, output

    def start(self, sql: str) -> str:
        answer = self._client.start_query_execution(
            QueryString=sql, QueryExecutionContext={"Database": self._database}, WorkGroup=self._workgroup,
            ResultConfiguration={"OutputLocation": self._output})
        return str(answer["QueryExecutionId"])

    def state(self, query_id: str) -> str:
        try:
            execution = self._client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("InvalidRequestException", "ResourceNotFoundException"):
                raise NotFound("query not found") from None
            raise
        return str(execution["Status"]["State"])

    def rows(self, query_id: str) -> list[list[str]]:
        """The result rows without the header row, every value as text."""
        rows: list[list[str]] = []
        token = None
        while True:
            args: dict[str, Any] = {"QueryExecutionId": query_id}
            if token:
                args["NextToken"] = token
            page = self._client.get_query_results(**args)
            rows += [[str(cell.get("VarCharValue", "")) for cell in row["Data"]] for row in page["ResultSet"]["Rows"]]
            token = page.get("NextToken")
            if not token:
                return rows[1:]
