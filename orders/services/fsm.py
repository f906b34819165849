"""A small helper over django-fsm shared by the chargeback and case services."""


def transition_permitted(method, user) -> bool:
    """The bound transition's permission alone (django-fsm's check also asks the conditions,
    and a refusal for a missing rebuttal should not read as a missing permission)."""
    instance = method.__self__
    meta = method._django_fsm
    return meta.has_transition_perm(instance, meta.field.get_state(instance), user)
