"""The main navigation leads pool members to their board and teachers to their cards."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.usefixtures("in_memory_layer")


@pytest.mark.parametrize(("role", "link", "other"), [
    ("assistant", "board_index", "teacher_cards"),
    ("coordinator", "board_index", "teacher_cards"),
    ("teacher", "teacher_cards", "board_index"),
])
def test_it_links_the_role_to_its_live_page(client, world, role, link, other):
    client.force_login(world.user(role))
    nav = client.get(reverse("home")).content.decode().split('class="site-nav"')[1]
    nav = nav.split("</nav>")[0]
    assert f'href="{reverse(link)}"' in nav
    assert f'href="{reverse(other)}"' not in nav


@pytest.mark.parametrize("role", ["parent", "provider", "reviewer"])
def test_it_shows_no_live_page_to_other_roles(client, world, role):
    client.force_login(world.user(role))
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("board_index")}"' not in page
    assert f'href="{reverse("teacher_cards")}"' not in page


def test_it_marks_the_board_as_the_current_page(client, world):
    client.force_login(world.user("assistant"))
    page = client.get(reverse("board", args=[world.school.pk])).content.decode()
    assert f'href="{reverse("board_index")}" aria-current="page"' in page
