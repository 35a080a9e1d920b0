namespace Reference.ServiceDefaults.Tests;

internal static class HttpClientExtensions
{
    public static Task<HttpResponseMessage> GetWithTokenAsync(this HttpClient client, string path, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        }

        return client.SendAsync(request);
    }
}
