"""The records store: régies, organismes, partenariats (and datasets added later) in a database, written only by
accounts, every write journalled. No Streamlit here. See docs/store.md."""

from store.accounts import (
    ADMIN,
    CONTRIBUTEUR,
    Account,
    AccountError,
    AuthError,
    add_user,
    authenticate,
    close_session,
    disable_user,
    exchange_handoff,
    get_account,
    list_users,
    login_required,
    open_session,
    reset_password,
    session_account,
    user_for_email,
)
from store.api import Store
from store.changes import (
    CellChange,
    ChangeInfo,
    ChangeSetInfo,
    ConflictError,
    Edit,
    RowChange,
    ScopeError,
    StoreError,
    UndoError,
    ValidationError,
)
from store.engine import SchemaError, database_url
from store.importing import ImportPlan
from store.reference import data_dir

__all__ = [
    "ADMIN", "CONTRIBUTEUR", "Account", "AccountError", "AuthError", "CellChange", "ChangeInfo", "ChangeSetInfo",
    "ConflictError", "Edit", "ImportPlan", "RowChange", "SchemaError", "ScopeError", "Store", "StoreError",
    "UndoError", "ValidationError", "add_user", "authenticate", "close_session", "data_dir", "database_url",
    "disable_user", "exchange_handoff", "get_account", "list_users", "login_required", "open_session",
    "reset_password", "session_account", "user_for_email",
]
