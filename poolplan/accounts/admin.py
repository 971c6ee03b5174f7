"""Admin for logins, API tokens and the audit trail. The trail is read-only: its rows are
never changed or deleted, not even by a superuser in the admin."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from poolplan.accounts.models import ApiToken, AuditAction, AuditEvent, User
from poolplan.accounts.services import api_token_revoke, audit_record
from poolplan.roster.services import user_check


class RoleRulesMixin:
    """Runs the role rules of `user_create` (a teacher needs classes at their schools, a
    reviewer a funding body, ...) on the admin's forms too."""

    def clean(self):
        data = super().clean()
        if data.get("role"):
            try:
                user_check(role=data["role"], provider=data.get("provider"),
                           schools=list(data.get("schools") or []),
                           classes=list(data.get("classes") or []),
                           funding_body=data.get("funding_body"))
            except forms.ValidationError as error:
                for field, messages in error.message_dict.items():
                    self.add_error(field if field in self.fields else None, messages)
        return data


class PoolplanUserChangeForm(RoleRulesMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


class PoolplanUserCreationForm(RoleRulesMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "role", "provider", "schools", "classes", "funding_body"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = PoolplanUserChangeForm
    add_form = PoolplanUserCreationForm
    list_display = ["username", "first_name", "last_name", "role", "provider", "is_active"]
    list_filter = ["role", "provider", "schools", "is_active", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email"]
    filter_horizontal = ["schools", "classes", "groups", "user_permissions"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("Role and scope"), {"fields": ["role", "provider", "schools", "classes",
                                          "funding_body"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"],
                "fields": ["username", "password1", "password2", "role", "provider", "schools",
                           "classes", "funding_body"]}),
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(actor=request.user,
                     action=AuditAction.UPDATE if change else AuditAction.CREATE, obj=obj,
                     summary=f"Login {obj.get_username()} {'changed' if change else 'created'}"
                             " in the admin",
                     changes={f: "changed" for f in form.changed_data
                              if f not in {"password", "password1", "password2"}})


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created with `manage.py api_token` (the key is shown once); here they can
    only be looked at and revoked."""

    list_display = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["user__username", "name", "prefix"]
    readonly_fields = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(actor=request.user, token=token)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_name", "action", "object_type", "object_id", "child",
                    "summary"]
    list_filter = ["action", "object_type"]
    search_fields = ["summary", "actor_name", "child__display_code", "object_id"]
    date_hierarchy = "at"
    list_select_related = ["child"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
