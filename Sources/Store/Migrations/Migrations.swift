/// The application's schema history, oldest first. Append new versions; never edit, renumber or remove one that
/// may have been applied anywhere (`Migrator` refuses a database whose history differs).
public enum Migrations {
    /// Every migration, in version order.
    public static let all: [Migration] = []

    /// The version a fully migrated database reports (0 for none); the health check requires at least this.
    public static var latestVersion: Int { all.last?.version ?? 0 }
}
