"""A small graphene schema for testing the endpoint's limits and HTTP behaviour without the real one."""

import time

import graphene


class Topic(graphene.ObjectType):
    name = graphene.String()
    slug = graphene.String()


class Node(graphene.ObjectType):
    name = graphene.String()
    child = graphene.Field(lambda: Node)
    children = graphene.List(lambda: Node)

    def resolve_child(root, info):
        return {"name": "child"}

    def resolve_children(root, info):
        return [{"name": "a"}, {"name": "b"}]


class Event(graphene.ObjectType):
    title = graphene.String()
    topics = graphene.List(Topic)
    broken = graphene.String()

    def resolve_topics(root, info):
        return [{"name": "Deflection", "slug": "deflection"}]

    def resolve_broken(root, info):
        raise RuntimeError('relation "auth_user" column password: SELECT * FROM auth_user')


class EventList(graphene.ObjectType):
    items = graphene.List(Event)
    total = graphene.Int()


class Query(graphene.ObjectType):
    events = graphene.Field(EventList, per_page=graphene.Int(default_value=20))
    node = graphene.Field(Node)
    viewer = graphene.String()
    slow = graphene.List(Node, seconds=graphene.Float())

    def resolve_events(root, info, per_page):
        return {"items": [{"title": f"Event {i}"} for i in range(min(per_page, 100))], "total": 100}

    def resolve_node(root, info):
        return {"name": "root"}

    def resolve_viewer(root, info):
        return info.context.user.get_username() or None

    def resolve_slow(root, info, seconds):
        time.sleep(seconds)
        return [{"name": "late"}]


class Mutation(graphene.ObjectType):
    ping = graphene.String()

    def resolve_ping(root, info):
        return "pong"


schema = graphene.Schema(query=Query, mutation=Mutation)
