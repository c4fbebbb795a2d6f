"""factory_boy factories for the whole suite. Persona fixtures live in conftest.py."""

import factory
from django.utils import timezone

from helpdesk.models import User
from tickets.models import (
    Customer,
    Message,
    Organization,
    OrganizationDomain,
    Team,
    TeamMembership,
    Ticket,
)

PASSWORD = "correct horse battery"  # every UserFactory user's password


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"agent{n}@helpdesk.test")
    name = factory.Faker("name")
    role = User.Role.AGENT
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        if create and extracted:
            for team in extracted:
                TeamMembership.objects.create(team=team, user=self)
        if create:
            self.save()


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")
    email = factory.LazyAttribute(lambda t: f"{t.name.lower().replace(' ', '')}@helpdesk.test")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n} Oy")
    tier = Organization.Tier.STANDARD


class OrganizationDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganizationDomain

    organization = factory.SubFactory(OrganizationFactory)
    domain = factory.Sequence(lambda n: f"org{n}.example")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    name = factory.Faker("name")
    language = "en"


class TicketFactory(factory.django.DjangoModelFactory):
    """A bare ticket row. Tests of behaviour create tickets through the services."""

    class Meta:
        model = Ticket

    subject = factory.Faker("sentence", nb_words=5)
    customer = factory.SubFactory(CustomerFactory)
    channel = "email"
    status = Ticket.Status.OPEN
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    ticket = factory.SubFactory(TicketFactory)
    author_type = Message.Author.CUSTOMER
    author_customer = factory.SelfAttribute("ticket.customer")
    body_text = factory.Faker("paragraph")
