/// The sign-in form: one field, the viewer's token (from `sync.json`).
enum LoginPage {
    /// The page, with `message` above the form when sign-in failed.
    static func render(message: String?, next: String) -> HTML {
        let notice: HTML = message.map { "<p class=\"error\" role=\"alert\">\($0)</p>" } ?? ""
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Sign in · JourneyStore</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/assets/console.css"></head>
            <body><div class="login"><h1>JourneyStore console</h1>\(notice)
            <form method="post" action="/login"><label for="token">Viewer token</label>
            <input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
            <input type="hidden" name="next" value="\(next)">
            <button type="submit" class="primary">Sign in</button></form>
            <p class="muted">Tokens are the <code>viewers</code> of this node's sync.json.</p></div></body></html>
            """
    }
}
