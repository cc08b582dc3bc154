using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using RollbackKit.Metrics;
using RollbackKit.Prometheus.Tests.Infrastructure;
using RollbackKit.Redaction;

namespace RollbackKit.Prometheus.Tests.Internal;

/// <summary>Prometheus' error and warning texts are logged through the one redactor.</summary>
public sealed class PrometheusLogRedactionTests
{
    [Theory]
    [InlineData(400, """{"status":"error","errorType":"bad_data","error":"TEXT"}""")]
    [InlineData(200, """{"status":"success","data":{"resultType":"vector","result":[]},"warnings":["TEXT"]}""")]
    public async Task QueryAsync_SecretsInErrorOrWarning_LoggedMasked(int status, string reply)
    {
        var body = reply.Replace("TEXT", SecretLeaks.Text, StringComparison.Ordinal);
        await using var server = await LoopbackHttpServer.StartAsync(context =>
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(body);
        });
        var services = new ServiceCollection();
        services.AddFakeLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddRollbackKit().AddPrometheus(o =>
        {
            o.BaseAddress = server.BaseAddress;
            o.BearerToken = SecretLeaks.Configured;
        });
        await using var provider = services.BuildServiceProvider();
        var source = provider.GetServices<IMetricSource>().Single();
        var batch = new MetricQueryBatch(new MetricQueryDefinition { Name = "q", Expression = "up" }, [new RollbackTarget("shop/checkout")]);

        await source.QueryAsync(batch, CancellationToken.None);

        var logs = SecretLeaks.LogText(provider.GetFakeLogCollector());
        SecretLeaks.AssertAbsent(logs);
        Assert.Contains("kubectl --kube-token " + SecretRedactor.Mask, logs, StringComparison.Ordinal);
    }
}
