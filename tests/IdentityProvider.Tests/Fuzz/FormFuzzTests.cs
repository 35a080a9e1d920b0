using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Reference.IdentityProvider.Endpoints;
using static Reference.IdentityProvider.Tests.IdentityProviderFactory;

namespace Reference.IdentityProvider.Tests.Fuzz;

/// <summary>
/// Randomised form bodies and client credentials (deterministic seeds): the form reader directly and the token and
/// introspection endpoints in process. Properties: the reader never throws, round-trips every well-formed form and
/// refuses repeated or excess parameters; the endpoints never answer 5xx and never issue a token to a random body.
/// </summary>
public sealed class FormFuzzTests(IdentityProviderFactory factory) : IClassFixture<IdentityProviderFactory>
{
    private const string Chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~%+=&;:/?#[]@!$'()*, é\u00ff\u4e2d";

    [Fact]
    public void Parse_RandomBodies_NeverThrows()
    {
        var random = new Random(6749);
        for (var i = 0; i < 20000; i++)
        {
            var body = RandomString(random, Chars, random.Next(0, 300));

            var (parameters, error) = FormRequestReader.Parse(body);

            Assert.True(parameters is null != error is null, $"#{i}: '{body}'");
            Assert.True(parameters is null || parameters.Count <= FormRequestReader.MaxParameters);
        }
    }

    [Fact]
    public void Parse_EncodedRandomForms_RoundTripOrRefuseRepeatsAndExcess()
    {
        var random = new Random(3_2);
        for (var i = 0; i < 10000; i++)
        {
            var count = random.Next(0, 40);
            var pairs = Enumerable.Range(0, count)
                .Select(_ => (Name: RandomString(random, Chars, random.Next(1, 12)), Value: RandomString(random, Chars, random.Next(0, 30))))
                .ToList();
            if (count > 0 && random.Next(4) == 0)
            {
                pairs.Add((pairs[random.Next(pairs.Count)].Name, "again"));
            }

            var body = string.Join('&', pairs.Select(p => $"{Uri.EscapeDataString(p.Name)}={Uri.EscapeDataString(p.Value)}"));

            var (parameters, error) = FormRequestReader.Parse(body);

            var distinct = pairs.Select(p => p.Name).Distinct(StringComparer.Ordinal).Count();
            if (pairs.Count > FormRequestReader.MaxParameters || distinct != pairs.Count)
            {
                Assert.Null(parameters);
                Assert.NotNull(error);
            }
            else
            {
                Assert.Null(error);
                var expected = pairs.Where(p => p.Value.Length > 0).ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
                Assert.Equal(expected.OrderBy(kv => kv.Key, StringComparer.Ordinal), parameters!.OrderBy(kv => kv.Key, StringComparer.Ordinal));
            }
        }
    }

    [Fact]
    public async Task TokenAndIntrospection_RandomFormsAndCredentials_Never5xxNeverIssue()
    {
        var random = new Random(7662);
        string[] grants = ["client_credentials", "authorization_code", "refresh_token", "password", "urn:ietf:params:oauth:grant-type:token-exchange", "", "implicit"];
        string[] names = ["grant_type", "scope", "code", "code_verifier", "redirect_uri", "refresh_token", "client_id", "client_secret", "subject_token", "subject_token_type", "actor_token", "audience", "resource", "token", "token_type_hint", "client_assertion", "client_assertion_type"];
        using var client = factory.CreateClient();
        for (var i = 0; i < 1500; i++)
        {
            var form = new List<string> { "grant_type=" + Uri.EscapeDataString(grants[random.Next(grants.Length)]) };
            for (var j = random.Next(0, 6); j > 0; j--)
            {
                form.Add($"{names[random.Next(names.Length)]}={Uri.EscapeDataString(RandomString(random, Chars, random.Next(0, 60)))}");
            }

            var endpoint = random.Next(3) == 0 ? "/connect/introspect" : "/connect/token";
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
            {
                Content = new StringContent(random.Next(10) == 0 ? RandomString(random, Chars, 100) : string.Join('&', form), Encoding.UTF8, random.Next(10) == 0 ? "text/plain" : "application/x-www-form-urlencoded"),
            };
            if (random.Next(2) == 0)
            {
                var id = random.Next(3) == 0 ? TestClientId : RandomString(random, Chars, random.Next(0, 20));
                var secret = RandomString(random, Chars, random.Next(0, 40));
                request.Headers.Authorization = new AuthenticationHeaderValue(
                    "Basic", random.Next(5) == 0 ? RandomString(random, Chars, 20) : Convert.ToBase64String(Encoding.UTF8.GetBytes($"{id}:{secret}")));
            }

            using var response = await client.SendAsync(request);

            var body = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode < 500, $"#{i} {endpoint}: {(int)response.StatusCode} {body}");
            Assert.DoesNotContain("access_token", body, StringComparison.Ordinal);
            Assert.DoesNotContain("\"active\":true", body, StringComparison.Ordinal);
            Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.UnsupportedMediaType
                || (endpoint == "/connect/introspect" && response.StatusCode == HttpStatusCode.OK), $"#{i} {endpoint}: {(int)response.StatusCode} {body}");
        }
    }

    private static string RandomString(Random random, string alphabet, int length) =>
        new([.. Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)])]);
}
