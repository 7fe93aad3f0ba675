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
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl"),
        .target(name: "TextFormats"),
        .target(name: "Logging", dependencies: ["TextFormats"]),
        .target(name: "Store", dependencies: ["CLibPQ", "Logging", "TextFormats"]),
        .target(name: "Curl", dependencies: ["CCurl", "TextFormats"]),
        .target(name: "Mail", dependencies: ["Curl", "Store", "Logging", "TextFormats"]),
        .target(
            name: "Auth", dependencies: ["COpenSSL", "CCrypt", "Mail", "Store", "Logging", "TextFormats"],
            // The list and its script: embed.sh compiles the list into CommonPasswords+List.swift.
            exclude: ["Password/CommonPasswords/common-passwords.txt", "Password/CommonPasswords/embed.sh",
                "Password/CommonPasswords/README.md"]),
        .target(name: "Tasks", dependencies: ["Store", "TextFormats"]),
        .target(name: "Agent", dependencies: ["Tasks", "TextFormats"]),
        .target(name: "OAuth", dependencies: ["Auth", "Curl", "Store", "Logging", "TextFormats"]),
        .target(name: "HTTP", dependencies: ["TextFormats"]),
        .target(
            name: "Routes", dependencies: ["HTTP", "Auth", "OAuth", "Store", "Tasks", "Agent", "Logging", "TextFormats"]),
        .executableTarget(
            name: "FCGIApp",
            dependencies: [
                "Routes", "HTTP", "Agent", "Store", "Auth", "OAuth", "Curl", "Mail", "Logging", "CFastCGI", "CLinux",
            ]),
        .target(name: "TestSupport", dependencies: ["HTTP", "Store", "Logging"], path: "Tests/TestSupport"),
        .testTarget(name: "TextFormatsTests", dependencies: ["TextFormats"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "TextFormats", "TestSupport"]),
        .testTarget(name: "AuthTests", dependencies: ["Auth", "Mail", "Store", "TextFormats", "TestSupport"]),
        .testTarget(name: "CurlTests", dependencies: ["Curl", "TextFormats"], exclude: ["document_server.py"]),
        .testTarget(name: "MailTests", dependencies: ["Mail", "Auth", "Store", "TextFormats", "TestSupport"]),
        .testTarget(name: "OAuthTests", dependencies: ["OAuth", "Auth", "Store", "TextFormats", "TestSupport"]),
        .testTarget(name: "TasksTests", dependencies: ["Tasks", "Store", "TextFormats", "TestSupport"]),
        .testTarget(name: "AgentTests", dependencies: ["Agent", "Tasks", "Store", "TextFormats", "TestSupport"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "TextFormats", "TestSupport"]),
        .testTarget(
            name: "RoutesTests",
            dependencies: ["Routes", "Auth", "HTTP", "Mail", "Store", "Agent", "Tasks", "TextFormats", "TestSupport"]),
        .testTarget(name: "FCGIAppTests", dependencies: ["FCGIApp", "Agent", "TextFormats"]),
    ]
)
