using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using RollbackKit.Prometheus.Internal;
using RollbackKit.Prometheus.Tests.Infrastructure;
using RollbackKit.Prometheus.Tests.Integration;

namespace RollbackKit.Prometheus.Tests.Hosting;

/// <summary>How the Prometheus client behaves in a real host: quiet logs without secrets, binding without arguments, paths from the content root.</summary>
public sealed class PrometheusHostingTests
{
    private const string OkVector = """{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"7"]}]}}""";
    private const string Password = "pr0m-S3cret-pw";
    private const string Token = "prom-T0ken-abc123";
    private const int Queries = 25;

    private static IHost BuildHost(Dictionary<string, string?> settings, LogLevel level)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders().SetMinimumLevel(level).AddFakeLogging();
        builder.Services.AddRollbackKit(o => o.MonitorEnabled = false).AddPrometheus();
        return builder.Build();
    }

    [Theory]
    [InlineData("basic", LogLevel.Information)]
    [InlineData("bearer", LogLevel.Information)]
    [InlineData("basic", LogLevel.Debug)]
    public async Task Queries_InAHostLoggingAtInformation_LogNoRequestLinesAndNoSecret(string auth, LogLevel level)
    {
        var authorizations = new ConcurrentQueue<string>();
        await using var server = await LoopbackHttpServer.StartAsync(async context =>
        {
            authorizations.Enqueue(context.Request.Headers.Authorization.ToString());
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(OkVector);
        });
        var settings = new Dictionary<string, string?> { ["RollbackKit:Prometheus:BaseAddress"] = server.BaseAddress.ToString() };
        if (auth == "basic")
        {
            settings["RollbackKit:Prometheus:Username"] = "reader";
            settings["RollbackKit:Prometheus:Password"] = Password;
        }
        else
        {
            settings["RollbackKit:Prometheus:BearerToken"] = Token;
        }

        using var host = BuildHost(settings, level);
        var client = host.Services.GetRequiredService<PrometheusClient>();
        for (var i = 0; i < Queries; i++)
        {
            var result = await client.QueryAsync("up", DateTimeOffset.UtcNow, TimeSpan.FromSeconds(10), default, new CollectingSink(), CancellationToken.None);
            Assert.True(result.IsSuccess, result.Error);
        }

        var records = host.Services.GetFakeLogCollector().GetSnapshot();
        Assert.Equal(Queries, authorizations.Count);
        Assert.All(authorizations, a => Assert.False(string.IsNullOrEmpty(a)));
        Assert.DoesNotContain(records, r => r.Category?.StartsWith("System.Net.Http.HttpClient", StringComparison.Ordinal) == true);
        Assert.DoesNotContain(records, r => r.Level >= LogLevel.Information);
        Assert.Equal(level == LogLevel.Debug ? Queries : 0, records.Count(r => r.Id.Id == 2005));
        var text = string.Join("\n", records.Select(r => r.Message + " " + r.Exception + " " + string.Join(",", r.StructuredState?.Select(kv => kv.Value) ?? [])));
        foreach (var secret in new[] { Password, Token, Convert.ToBase64String(Encoding.UTF8.GetBytes("reader:" + Password)) })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AddPrometheus_NoArguments_BindsFromConfigurationAndValidates()
    {
        var settings = new Dictionary<string, string?>
        {
            ["RollbackKit:Prometheus:BaseAddress"] = "http://127.0.0.1:9090",
            ["RollbackKit:Prometheus:Interval"] = "2m",
            ["RollbackKit:Prometheus:MaxRetries"] = "5",
        };
        using var host = BuildHost(settings, LogLevel.Information);

        host.Services.GetRequiredService<IStartupValidator>().Validate();
        var options = host.Services.GetRequiredService<IOptions<PrometheusOptions>>().Value;

        Assert.Equal(new Uri("http://127.0.0.1:9090"), options.BaseAddress);
        Assert.Equal("2m", options.Interval);
        Assert.Equal(5, options.MaxRetries);
    }

    [Fact]
    public void AddPrometheus_NoArgumentsAndNoConfiguration_FailsAtStartNamingTheKey()
    {
        using var host = BuildHost([], LogLevel.Information);

        var ex = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("RollbackKit:Prometheus:BaseAddress: required", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CaFile_Relative_IsResolvedAgainstTheContentRoot()
    {
        var root = Directory.CreateTempSubdirectory("rbk-prom-root-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "certs"));
        File.WriteAllText(Path.Combine(root, "certs", "ca.pem"), "not read at start");
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IHostEnvironment>(new HostingEnvironment { ContentRootPath = root });
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RollbackKit:Prometheus:BaseAddress"] = "https://127.0.0.1:9090",
            ["RollbackKit:Prometheus:CaFile"] = "certs/ca.pem",
        }).Build());
        services.AddRollbackKit().AddPrometheus();
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<PrometheusOptions>>().Value;

        Assert.Equal(Path.Combine(root, "certs", "ca.pem"), options.CaFile);
        Assert.False(File.Exists(Path.Combine(Directory.GetCurrentDirectory(), "certs", "ca.pem")));
        Directory.Delete(root, recursive: true);
    }
}
