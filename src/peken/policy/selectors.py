from peken.policy.models import CityPolicy


def policy_current() -> CityPolicy:
    """The city's policy; the defaults until a city admin changes them."""
    policy = CityPolicy.objects.filter(pk=1).first()
    return policy if policy is not None else CityPolicy(pk=1)
