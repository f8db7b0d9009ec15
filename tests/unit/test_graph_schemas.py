"""JSON schemas of the graph (what Studio and langgraph_sdk show) build on every supported Python."""

from __future__ import annotations

from pr2_agent import build_graph


def test_input_output_context_schemas_build():
    graph = build_graph()
    given = graph.get_input_jsonschema()
    assert given["properties"]["question"]["type"] == "string"
    output = graph.get_output_jsonschema()["properties"]
    assert {"question", "answer", "finish", "searches", "retrievals", "segments", "prompt_ids"} <= set(output)
    # The trajectory types nest inside the output schema: they must be schema-able too.
    assert "Segment" in str(graph.get_output_jsonschema())
    assert "user_id" in graph.get_context_jsonschema()["properties"]
