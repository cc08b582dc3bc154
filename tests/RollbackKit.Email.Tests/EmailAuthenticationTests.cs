using Microsoft.Extensions.DependencyInjection;
using RollbackKit.Email.Tests.Infrastructure;
using RollbackKit.Notifications;
using RollbackKit.Redaction;
using RollbackKit.Slack.Tests.Infrastructure;

namespace RollbackKit.Email.Tests;

public sealed class EmailAuthenticationTests : IAsyncLifetime
{
    private const string User = "rollbackkit";
    private SmtpSink _sink = null!;

    public async Task InitializeAsync() => _sink = await SmtpSink.StartAsync(User, EmailTestHost.Password);

    public async Task DisposeAsync() => await _sink.DisposeAsync();

    private EmailTestHost Host(string password) => new(
        o =>
        {
            o.Host = "localhost";
            o.Port = _sink.Port;
            o.Security = EmailSecurity.None;
            o.Username = User;
            o.Password = password;
            o.From = "rollbackkit@example.com";
            o.To.Add("oncall@example.com");
        },
        new ObservableFakeTimeProvider(TestData.Now));

    [Fact]
    public async Task NotifyAsync_WithCredentials_AuthenticatesAndNeverLogsThePassword()
    {
        await using var host = Host(EmailTestHost.Password);
        await host.CompleteAsync(RollbackState.RolledBack);

        await host.Notifier.NotifyAsync(TestData.Event(RollbackEventKind.Succeeded), CancellationToken.None);

        var mail = await _sink.NextAsync();
        Assert.Equal(User, mail.Login);
        Assert.Equal(1, host.Count("sent"));
        Assert.DoesNotContain(EmailTestHost.Password, host.LogText, StringComparison.Ordinal);
        Assert.DoesNotContain(EmailTestHost.Password, mail.Text + mail.Html, StringComparison.Ordinal);
        Assert.Equal("password: " + SecretRedactor.Mask, host.Services.GetRequiredService<SecretRedactor>().Redact("password: " + EmailTestHost.Password));
    }

    [Fact]
    public async Task NotifyAsync_WrongPassword_FailureIsLoggedAndCountedWithoutThePassword()
    {
        const string Wrong = "Wr0ng-Pa55w0rd-Als0-Secret";
        await using var host = Host(Wrong);
        await host.CompleteAsync(RollbackState.RolledBack);

        await host.Notifier.NotifyAsync(TestData.Event(RollbackEventKind.Succeeded), CancellationToken.None);

        Assert.Equal(1, host.Count("failed"));
        Assert.Contains("AuthenticationException", host.LogText, StringComparison.Ordinal);
        Assert.DoesNotContain(Wrong, host.LogText, StringComparison.Ordinal);
    }
}
