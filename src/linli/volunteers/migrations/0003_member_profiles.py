from django.db import migrations


def profiles_for_members(apps, schema_editor):
    """One profile per person and community for the members the old model held; leaders
    keep leading (``is_leader`` becomes the role)."""
    TeamMember = apps.get_model("volunteers", "TeamMember")
    Profile = apps.get_model("volunteers", "VolunteerProfile")
    numbers = {}
    for m in TeamMember.objects.select_related("team__community", "resident", "user").order_by("pk"):
        community = m.team.community
        key = (community.pk, m.resident_id or None, None if m.resident_id else m.user_id)
        profile = numbers.get(key)
        if profile is None:
            n = Profile.objects.filter(community=community).count() + 1
            name = (m.resident.name if m.resident_id else "") or (
                (m.user.display_name or m.user.username) if m.user_id else "?"
            )
            profile = Profile.objects.create(
                community=community, resident_id=m.resident_id, user_id=m.user_id,
                name=name[:60], number=f"{community.code.upper()[:8]}-V{n:05d}",
            )
            numbers[key] = profile
        m.profile = profile
        m.role = "leader" if m.is_leader else "member"
        m.status = "active"
        m.save(update_fields=["profile", "role", "status"])


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0002_membership_and_ledger")]

    operations = [migrations.RunPython(profiles_for_members, migrations.RunPython.noop)]
