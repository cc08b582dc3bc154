using CsCheck;
using RollbackKit.Redaction;

namespace RollbackKit.Tests.Redaction;

public class SecretRedactorTests
{
    private static readonly SecretRedactor s_patterns = SecretRedactor.Patterns;

    [Theory]
    [InlineData("kubectl --kube-token s3cr3t get pods", "kubectl --kube-token *** get pods")]
    [InlineData("kubectl --kube-token=s3cr3t get pods", "kubectl --kube-token=*** get pods")]
    [InlineData("run --PASSWORD hunter2 --db-Password=hunter2", "run --PASSWORD *** --db-Password=***")]
    [InlineData("login --client-secret 'a b c' --x 1", "login --client-secret *** --x 1")]
    [InlineData("login --api-secret \"a b\"", "login --api-secret ***")]
    public void Redact_SecretFlags_ValueMasked(string input, string expected) => Assert.Equal(expected, s_patterns.Redact(input));

    [Theory]
    [InlineData("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc", "Authorization: Bearer ***")]
    [InlineData("Proxy-Authorization: Basic dXNlcjpwYXNz", "Proxy-Authorization: Basic ***")]
    [InlineData("{\"Authorization\": \"Bearer abc.def\"}", "{\"Authorization\": \"Bearer ***\"}")]
    [InlineData("authorization=rawtoken123", "authorization=***")]
    [InlineData("the server replied 401 to Bearer eyJ0eXAiOiJKV1Qi", "the server replied 401 to Bearer ***")]
    [InlineData("sent Basic dXNlcjpwYXNzd29yZA== upstream", "sent Basic *** upstream")]
    public void Redact_AuthorizationAndSchemeCredentials_Masked(string input, string expected) => Assert.Equal(expected, s_patterns.Redact(input));

    [Theory]
    [InlineData("GET https://user:pass@host.example/api failed", "GET https://***@host.example/api failed")]
    [InlineData("remote https://ghp_abc123@github.com/org/repo.git", "remote https://***@github.com/org/repo.git")]
    [InlineData("http://host/q?access_token=abc&x=1&api_key=k&X-Amz-Signature=ff", "http://host/q?access_token=***&x=1&api_key=***&X-Amz-Signature=***")]
    [InlineData("https://h/a?Password=p#frag", "https://h/a?Password=***#frag")]
    public void Redact_UrlUserInfoAndQuerySecrets_Masked(string input, string expected) => Assert.Equal(expected, s_patterns.Redact(input));

    [Theory]
    [InlineData("password=hunter2", "password=***")]
    [InlineData("DB_PASSWORD: hunter2 next", "DB_PASSWORD: *** next")]
    [InlineData("{\"apiToken\":\"abc def\",\"n\":1}", "{\"apiToken\":\"***\",\"n\":1}")]
    [InlineData("client_secret=xyz&x=1", "client_secret=***&x=1")]
    public void Redact_Assignments_Masked(string input, string expected) => Assert.Equal(expected, s_patterns.Redact(input));

    [Theory]
    [InlineData("kubectl rollout undo deployment/web --timeout 5m --namespace shop")]
    [InlineData("error rate 5.2/min > 0.75/min for 5m")]
    [InlineData("Basic checks passed; Bearer of bad news")]
    [InlineData("Basic authentication failed")]
    [InlineData("see https://grafana.example.com/d/abc?orgId=1&from=now-1h")]
    [InlineData("{\"revision\":1,\"status\":\"deployed\",\"chart\":\"secret-store-0.1.0\"}")]
    [InlineData("user@example.com approved the rollback")]
    [InlineData("--token-count")]
    [InlineData("Rollback was a success! Happy Helming!")]
    [InlineData("")]
    public void Redact_OrdinaryText_Unchanged(string input) => Assert.Equal(input, s_patterns.Redact(input));

    [Fact]
    public void Redact_ConfiguredValues_MaskedEverywhereIncludingUrlEscapedForm()
    {
        var redactor = new SecretRedactor(["xoxb-123-abc", "p@ss word/+", null, "", "abc"]);

        Assert.Equal("token *** rejected", redactor.Redact("token xoxb-123-abc rejected"));
        Assert.Equal("a***b", redactor.Redact("axoxb-123-abcb"));
        Assert.Equal("q=*** and ***", redactor.Redact("q=" + Uri.EscapeDataString("p@ss word/+") + " and p@ss word/+"));
        Assert.Equal("abc stays: too short to be masked", redactor.Redact("abc stays: too short to be masked"));
    }

    [Fact]
    public void RedactArguments_SecretFlagsAndSetLists_Masked()
    {
        var args = s_patterns.RedactArguments(
            ["upgrade", "web", "--kube-token", "eyJhbGciOi", "--Password=x y", "--set", "db.password=hunter2,replicas=3", "--set-string=token=abc", "--token", "--namespace", "shop", "https://u:p@h/x"]);

        Assert.Equal(
            ["upgrade", "web", "--kube-token", "***", "--Password=***", "--set", "db.password=***,replicas=***", "--set-string=token=***", "--token", "--namespace", "shop", "https://***@h/x"],
            args);
    }

    [Fact]
    public void RedactArguments_PlainArguments_Unchanged()
    {
        string[] args = ["rollback", "web", "2", "--wait=watcher", "--timeout", "300s", "--namespace", "shop"];

        Assert.Equal(args, s_patterns.RedactArguments(args));
    }

    [Fact]
    public void FormatCommand_QuotesAndRedacts()
    {
        var line = s_patterns.FormatCommand("/opt/helm/helm", ["rollback", "web", "1", "--set", "password=x", "--kube-context", "my ctx", "--kube-token", "t0k"]);

        Assert.Equal("helm rollback web 1 --set password=*** --kube-context 'my ctx' --kube-token ***", line);
    }

    [Fact]
    public void Redact_RandomTextWithEmbeddedConfiguredSecret_NeverContainsTheSecret()
    {
        var printable = Gen.Char[' ', '~'];
        Gen.Select(printable.Array[SecretRedactor.MinimumSecretLength, 24], printable.Array[0, 60], printable.Array[0, 60], Gen.Int[1, 3])
            .Where(static t => !string.IsNullOrWhiteSpace(new string(t.Item1)))
            .Sample(static (secretChars, before, after, copies) =>
            {
                var secret = new string(secretChars);
                var text = new string(before) + string.Concat(Enumerable.Repeat(secret + new string(after), copies));
                var redacted = new SecretRedactor([secret]).Redact(text);
                return !redacted.Contains(secret, StringComparison.Ordinal);
            }, iter: 3000);
    }
}
