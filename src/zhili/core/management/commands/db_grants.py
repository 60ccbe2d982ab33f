"""Grants for running the application as a role that does not own the tables (PostgreSQL).

The owner (who runs ``zhili migrate``) can disable triggers and empty any table; the web and
worker processes should connect as another role, which this command lets read and write every
table but only SELECT and INSERT the append-only ones (the audit trail and every module's
events): no UPDATE, DELETE or TRUNCATE, and, not being the owner, no ALTER TABLE … DISABLE
TRIGGER. Run it after every ``migrate`` (new tables get no grants by themselves). See
docs/reliability.md."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from zhili.core.events import append_only_tables


def grant_statements(role: str, tables: list[str], append_only: list[str]) -> list[str]:
    qn = connection.ops.quote_name
    r = qn(role)
    out = [
        f"GRANT CONNECT ON DATABASE {qn(connection.settings_dict['NAME'])} TO {r}",
        f"GRANT USAGE ON SCHEMA public TO {r}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {r}",
    ]
    for table in tables:
        if table in append_only:
            out += [
                f"REVOKE ALL ON {qn(table)} FROM {r}",
                f"GRANT SELECT, INSERT ON {qn(table)} TO {r}",
            ]
        else:
            out.append(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {qn(table)} TO {r}")
    return out


class Command(BaseCommand):
    help = "PostgreSQL：为非属主的应用角色授权（追加表只能 SELECT、INSERT）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("role", help="应用连接数据库所用的角色（须已存在，且不是表的属主）")

    def handle(self, *args: Any, role: str, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("只有 PostgreSQL 需要也支持角色授权（SQLite 没有数据库用户）")
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
            row = cursor.fetchone()
            if row is None:
                raise CommandError(f"角色 {role} 不存在：请先 CREATE ROLE {role} LOGIN PASSWORD …")
            if row[0]:
                raise CommandError(f"角色 {role} 是超级用户，授权没有意义")
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = %s",
                [role],
            )
            owned = [t for (t,) in cursor.fetchall()]
            if owned:
                raise CommandError(f"角色 {role} 是这些表的属主，不能作为应用角色：{owned[:5]}")
        tables = sorted(connection.introspection.table_names())
        append_only = [t for t in append_only_tables() if t in tables]
        with transaction.atomic(), connection.cursor() as cursor:
            for sql in grant_statements(role, tables, append_only):
                cursor.execute(sql)
        self.stdout.write(
            f"已为 {role} 授权：{len(tables) - len(append_only)} 张表可读写，"
            f"{len(append_only)} 张追加表只能查询和追加"
        )
