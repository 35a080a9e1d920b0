using System.Net;
using System.Text.Json;

namespace Reference.Gateway;

/// <summary>
/// What the gateway's back-channel clients to the IdentityProvider (introspection, token exchange) share: one pooled
/// HttpClient configuration, response bodies read with a size bound, and endpoint discovery from the IdP's metadata.
/// Failures come back as a reason, so that each client raises its own "unavailable" error.
/// </summary>
internal static class IdentityProviderHttp
{
    /// <summary>Largest response body read from the IdP (discovery, introspection, token responses are small).</summary>
    public const int MaxResponseBytes = 64 * 1024;

    public static IHttpClientBuilder AddIdentityProviderHttpClient(this IServiceCollection services, string name) =>
        services.AddHttpClient(name, client =>
        {
            // Per-attempt timeouts are the callers' resilience pipelines'; this is only a backstop.
            client.Timeout = Timeout.InfiniteTimeSpan;
            client.MaxResponseContentBufferSize = MaxResponseBytes;
        }).ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            MaxConnectionsPerServer = 100,
            ConnectTimeout = TimeSpan.FromSeconds(2),
        });

    /// <returns>The body, or null when it is larger than <see cref="MaxResponseBytes"/>.</returns>
    public static async Task<byte[]?> ReadBoundedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Content.Headers.ContentLength > MaxResponseBytes)
        {
            return null;
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxResponseBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>Reads <paramref name="property"/> (e.g. <c>token_endpoint</c>) from the discovery document.</summary>
    /// <returns>The absolute http(s) endpoint, or null with the reason it could not be found.</returns>
    public static async Task<(Uri? Endpoint, string? Problem)> DiscoverEndpointAsync(HttpClient client, Uri metadataAddress, string property, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var response = await client.GetAsync(metadataAddress, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (null, $"The discovery document answered HTTP {(int)response.StatusCode}.");
        }

        if (await ReadBoundedAsync(response, cancellationToken) is not { } body)
        {
            return (null, "The discovery document is too large.");
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty(property, out var value)
                && value.ValueKind == JsonValueKind.String
                && Uri.TryCreate(value.GetString(), UriKind.Absolute, out var endpoint)
                && endpoint.Scheme is "http" or "https")
            {
                return (endpoint, null);
            }
        }
        catch (JsonException)
        {
            return (null, "The discovery document is not JSON.");
        }

        return (null, $"The discovery document has no {property}.");
    }
}
