using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace RollbackKit.Prometheus.Internal;

/// <summary>Builds the primary HTTP handler: pooled connections and, with a CA file, validation against that CA only.</summary>
internal static class PrometheusHttpHandler
{
    public static SocketsHttpHandler Create(PrometheusOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = System.Net.DecompressionMethods.GZip | System.Net.DecompressionMethods.Deflate,
        };
        if (!string.IsNullOrEmpty(options.CaFile))
        {
            var roots = LoadCertificates(options.CaFile);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                Validate(certificate, errors, roots);
        }

        return handler;
    }

    internal static X509Certificate2Collection LoadCertificates(string path)
    {
        var collection = new X509Certificate2Collection();
        var bytes = File.ReadAllBytes(path);
        if (bytes.AsSpan().IndexOf("-----BEGIN"u8) >= 0)
        {
            collection.ImportFromPemFile(path);
        }
        else
        {
            collection.Add(X509CertificateLoader.LoadCertificate(bytes));
        }

        if (collection.Count == 0)
        {
            throw new InvalidOperationException($"The CA file '{path}' contains no certificate.");
        }

        return collection;
    }

    internal static bool Validate(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (certificate is X509Certificate2 full)
        {
            return chain.Build(full);
        }

        using var loaded = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(loaded);
    }
}
