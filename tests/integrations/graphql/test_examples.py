"""Reading the runnable GraphQL examples out of docs/partners.md (integrations/graphql/examples.py)."""

import pytest

from integrations.graphql.examples import PARTNERS_DOC, documented_examples, parse

DOC = """# For partners

## Events

```graphql
{ events { items { title } } }
```

Upcoming trainings on a topic:

<!-- example-as: partner -->
```graphql
query Upcoming($topic: String) {
  events(topic: $topic) { items { title } }
}
```


```json
{"topic": "988-crisis-hotline"}
```

### Members

<!-- example-as: member -->
```graphql
{ viewer { calendarUrl } }
```

- In a list:

  ```graphql
  { topics { name } }
  ```

<!-- example: skip -->
```graphql
type Viewer { name: String! }
```

```sh
curl http://127.0.0.1:8000/graphql/
```
"""


def test_each_graphql_block_with_its_variables_caller_and_section():
    examples = parse(DOC)
    assert [(e.query.split("\n")[0], e.variables, e.run_as, e.skip, e.heading, e.line) for e in examples] == [
        ("{ events { items { title } } }", None, None, False, "Events", 5),
        ("query Upcoming($topic: String) {", {"topic": "988-crisis-hotline"}, "partner", False, "Events", 12),
        ("{ viewer { calendarUrl } }", None, "member", False, "Members", 26),
        ("{ topics { name } }", None, None, False, "Members", 32),
        ("type Viewer { name: String! }", None, None, True, "Members", 37),
    ]
    assert examples[1].query.endswith("}\n}")  # the whole operation, indentation kept


@pytest.mark.parametrize(
    ("markdown", "complaint"),
    [
        ("<!-- example-as: admin -->\n```graphql\n{ a }\n```\n", "docs/partners.md:1: use <!-- example-as"),
        ("<!-- example: later -->\n```graphql\n{ a }\n```\n", "docs/partners.md:1: use <!-- example-as"),
        ('```graphql\n{ a }\n```\n\n```json\n{"topic": }\n```\n', "docs/partners.md:5: the variables are not valid"),
        ("```graphql\n{ a }\n```\n```json\n[1, 2]\n```\n", "docs/partners.md:4: the variables must be a JSON object"),
    ],
)
def test_a_malformed_example_is_refused_with_its_line(markdown, complaint):
    with pytest.raises(ValueError, match="^" + complaint.replace("(", r"\(")):
        parse(markdown)


def test_variables_only_belong_to_the_block_right_before_them():
    examples = parse('```graphql\n{ a }\n```\n\nSome words.\n\n```json\n{"x": 1}\n```\n')
    assert examples[0].variables is None


def test_the_partner_docs_examples_parse():
    examples = documented_examples(PARTNERS_DOC)
    assert examples, "docs/partners.md documents no runnable ```graphql example"
    assert all(example.query and not example.skip for example in examples)


def test_tagged_blocks_are_found_by_their_marker():
    markdown = "<!-- example: webhook-verification -->\n```python\nprint(1)\n```\n\n```js\nx\n```\n"
    assert parse(markdown) == []
    from integrations.graphql.examples import tagged_blocks

    assert tagged_blocks(markdown, "webhook-verification") == [("python", "print(1)")]
    assert tagged_blocks(markdown, "other") == []
