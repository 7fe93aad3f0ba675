// swift-tools-version:6.0
// Dependencies point one way: FCGIApp → Routes → (Auth, Tasks → Store) → C wrappers; Logging is a leaf every layer
// may use.
import PackageDescription

let package = Package(
    name: "TodoChatbot",
    products: [
        .executable(name: "fcgi-app", targets: ["FCGIApp"])
    ],
    targets: [
        .systemLibrary(name: "CFastCGI", path: "Sources/CFastCGI"),
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ", pkgConfig: "libpq"),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "libcrypto"),
        .systemLibrary(name: "CCrypt", path: "Sources/CCrypt", pkgConfig: "libxcrypt"),
        .systemLibrary(name: "CLinux", path: "Sources/CLinux"),
        .target(name: "Logging"),
        .target(name: "Store", dependencies: ["CLibPQ", "Logging"]),
        .target(name: "Auth", dependencies: ["COpenSSL", "CCrypt"]),
        .target(name: "Tasks", dependencies: ["Store"]),
        .target(name: "Agent", dependencies: ["Tasks", "Logging"]),
        .target(name: "Routes", dependencies: ["Auth", "Store", "Tasks", "Agent", "Logging"]),
        .executableTarget(
            name: "FCGIApp", dependencies: ["Routes", "Agent", "Store", "Auth", "Logging", "CFastCGI", "CLinux"]),
        .testTarget(name: "StoreTests", dependencies: ["Store"]),
        .testTarget(name: "AuthTests", dependencies: ["Auth"]),
        .testTarget(name: "TasksTests", dependencies: ["Tasks", "Store"]),
        .testTarget(name: "AgentTests", dependencies: ["Agent", "Tasks", "Store"]),
        .testTarget(name: "RoutesTests", dependencies: ["Routes", "Store", "Agent", "Tasks"]),
        .testTarget(name: "FCGIAppTests", dependencies: ["FCGIApp", "Agent"]),
    ]
)
