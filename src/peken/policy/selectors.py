from peken.core.cache import POLICY, cached
from peken.policy.models import CityPolicy

# Pages read the policy on every request; a change moves the family on (policy/apps.py).
SHOWN_SECONDS = 300


def policy_current() -> CityPolicy:
    """The city's policy; the defaults until a city admin changes them. Read from the database:
    for what money, the cap or an obligation depends on."""
    policy = CityPolicy.objects.filter(pk=1).first()
    return policy if policy is not None else CityPolicy(pk=1)


def policy_shown() -> CityPolicy:
    """The policy as pages show it (fair ranking of listings), from the cache."""
    return cached(POLICY, ("policy",), SHOWN_SECONDS, policy_current)
