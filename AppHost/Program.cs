Console.WriteLine("AppHost: under construction");
