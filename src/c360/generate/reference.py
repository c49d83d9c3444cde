"""Static reference data the generator samples from: geography, names, categories."""

# (code, population weight in millions, a few cities)
STATES: list[tuple[str, float, tuple[str, ...]]] = [
    ("AL", 5.1, ("Birmingham", "Montgomery", "Huntsville")),
    ("AK", 0.7, ("Anchorage", "Fairbanks", "Juneau")),
    ("AZ", 7.4, ("Phoenix", "Tucson", "Mesa")),
    ("AR", 3.1, ("Little Rock", "Fayetteville", "Fort Smith")),
    ("CA", 39.0, ("Los Angeles", "San Diego", "San Jose", "San Francisco", "Sacramento")),
    ("CO", 5.9, ("Denver", "Colorado Springs", "Aurora")),
    ("CT", 3.6, ("Bridgeport", "New Haven", "Hartford")),
    ("DE", 1.0, ("Wilmington", "Dover", "Newark")),
    ("DC", 0.7, ("Washington",)),
    ("FL", 22.6, ("Miami", "Tampa", "Orlando", "Jacksonville")),
    ("GA", 11.0, ("Atlanta", "Savannah", "Augusta")),
    ("HI", 1.4, ("Honolulu", "Hilo", "Kailua")),
    ("ID", 1.9, ("Boise", "Meridian", "Nampa")),
    ("IL", 12.5, ("Chicago", "Aurora", "Naperville", "Springfield")),
    ("IN", 6.9, ("Indianapolis", "Fort Wayne", "Evansville")),
    ("IA", 3.2, ("Des Moines", "Cedar Rapids", "Davenport")),
    ("KS", 2.9, ("Wichita", "Overland Park", "Kansas City")),
    ("KY", 4.5, ("Louisville", "Lexington", "Bowling Green")),
    ("LA", 4.6, ("New Orleans", "Baton Rouge", "Shreveport")),
    ("ME", 1.4, ("Portland", "Lewiston", "Bangor")),
    ("MD", 6.2, ("Baltimore", "Columbia", "Germantown")),
    ("MA", 7.0, ("Boston", "Worcester", "Springfield")),
    ("MI", 10.0, ("Detroit", "Grand Rapids", "Ann Arbor")),
    ("MN", 5.7, ("Minneapolis", "Saint Paul", "Rochester")),
    ("MS", 2.9, ("Jackson", "Gulfport", "Southaven")),
    ("MO", 6.2, ("Kansas City", "Saint Louis", "Springfield")),
    ("MT", 1.1, ("Billings", "Missoula", "Bozeman")),
    ("NE", 2.0, ("Omaha", "Lincoln", "Bellevue")),
    ("NV", 3.2, ("Las Vegas", "Henderson", "Reno")),
    ("NH", 1.4, ("Manchester", "Nashua", "Concord")),
    ("NJ", 9.3, ("Newark", "Jersey City", "Paterson")),
    ("NM", 2.1, ("Albuquerque", "Las Cruces", "Santa Fe")),
    ("NY", 19.6, ("New York", "Buffalo", "Rochester", "Albany")),
    ("NC", 10.8, ("Charlotte", "Raleigh", "Greensboro")),
    ("ND", 0.8, ("Fargo", "Bismarck", "Grand Forks")),
    ("OH", 11.8, ("Columbus", "Cleveland", "Cincinnati")),
    ("OK", 4.1, ("Oklahoma City", "Tulsa", "Norman")),
    ("OR", 4.2, ("Portland", "Salem", "Eugene")),
    ("PA", 13.0, ("Philadelphia", "Pittsburgh", "Allentown")),
    ("RI", 1.1, ("Providence", "Warwick", "Cranston")),
    ("SC", 5.4, ("Charleston", "Columbia", "Greenville")),
    ("SD", 0.9, ("Sioux Falls", "Rapid City", "Aberdeen")),
    ("TN", 7.1, ("Nashville", "Memphis", "Knoxville")),
    ("TX", 30.5, ("Houston", "San Antonio", "Dallas", "Austin")),
    ("UT", 3.4, ("Salt Lake City", "West Valley City", "Provo")),
    ("VT", 0.6, ("Burlington", "Essex", "Rutland")),
    ("VA", 8.7, ("Virginia Beach", "Richmond", "Arlington")),
    ("WA", 7.8, ("Seattle", "Spokane", "Tacoma")),
    ("WV", 1.8, ("Charleston", "Huntington", "Morgantown")),
    ("WI", 5.9, ("Milwaukee", "Madison", "Green Bay")),
    ("WY", 0.6, ("Cheyenne", "Casper", "Laramie")),
]

FIRST_NAMES = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Christopher Karen Charles Lisa Daniel Nancy "
    "Matthew Betty Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Andrew Emily "
    "Paul Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah "
    "Timothy Stephanie Ronald Rebecca Jason Sharon Edward Laura Jeffrey Cynthia Ryan Amy "
    "Jacob Kathleen Gary Angela Nicholas Shirley Eric Brenda Jonathan Emma Stephen Anna "
    "Larry Pamela Justin Nicole Scott Samantha Brandon Katherine Benjamin Christine Samuel "
    "Helen Gregory Debra Alexander Rachel Patrick Carolyn Frank Janet Raymond Maria Jack "
    "Olivia Dennis Heather Jerry Diane Tyler Julie Aaron Joyce Jose Victoria Adam Ruth "
    "Nathan Virginia Henry Lauren Zachary Kelly Douglas Christina Peter Joan Kyle Evelyn "
    "Noah Judith Ethan Andrea Jeremy Hannah Walter Megan Christian Cheryl Keith Jacqueline "
    "Roger Martha Terry Madison Austin Teresa Sean Gloria Gerald Sara Carl Janice Harold "
    "Ann Dylan Kathryn Arthur Abigail Lawrence Sophia Jordan Frances Jesse Jean Bryan Alice "
    "Billy Judy Bruce Isabella Gabriel Julia Joe Grace Logan Amber Alan Denise Juan Danielle "
    "Albert Marilyn Willie Beverly Elijah Charlotte Wayne Natalie Randy Theresa Vincent Diana "
    "Mason Brittany Roy Doris Ralph Kayla Bobby Alexis Russell Lori Bradley Marie Philip Mia "
    "Priya Wei Mohammed Aisha Carlos Sofia Hiroshi Mei Diego Fatima Luis Yuki Omar Ana"
).split()

LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
    "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
    "White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott "
    "Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter "
    "Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart "
    "Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed "
    "Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray "
    "Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez "
    "Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales "
    "Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin "
    "Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens "
    "Murray Ford Castro Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy "
    "Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter "
    "Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer Wagner "
    "Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels "
    "Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer Hawkins "
    "Wang Singh Kumar Ali Tanaka Cohen Okafor Novak Rossi Dubois Muller Larsen Kowalski Shah"
).split()

EMAIL_DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "aol.com", "proton.me")

EMPLOYMENT_STATUSES = ("Employed", "Self-Employed", "Retired", "Student", "Unemployed")

CARD_TYPES = ("Standard", "Premium")

CHANNELS = ("Online", "In-Store", "Mobile")

STATUSES = ("Approved", "Declined")

CATEGORY_GROUPS = ("Travel", "Necessities", "Discretionary", "Services")

# (name, group, representative MCC, median ticket USD, lognormal sigma, popularity weight,
#  share of transactions online, share on mobile)
CATEGORIES: list[tuple[str, str, str, float, float, float, float, float]] = [
    ("Airlines", "Travel", "4511", 380.0, 0.6, 3.0, 0.80, 0.15),
    ("Hotels & Lodging", "Travel", "7011", 240.0, 0.6, 3.0, 0.55, 0.20),
    ("Car Rental", "Travel", "7512", 180.0, 0.5, 1.5, 0.55, 0.20),
    ("Travel Agencies", "Travel", "4722", 450.0, 0.7, 1.0, 0.75, 0.20),
    ("Cruise Lines", "Travel", "4411", 900.0, 0.6, 0.3, 0.70, 0.15),
    ("Rail & Bus", "Travel", "4112", 70.0, 0.6, 1.2, 0.50, 0.35),
    ("Vacation Rentals", "Travel", "6513", 320.0, 0.6, 1.0, 0.65, 0.30),
    ("Duty Free & Airport Shops", "Travel", "5309", 45.0, 0.7, 0.8, 0.05, 0.10),
    ("Grocery Stores", "Necessities", "5411", 65.0, 0.7, 12.0, 0.10, 0.10),
    ("Gas Stations", "Necessities", "5541", 42.0, 0.4, 8.0, 0.00, 0.10),
    ("Pharmacies", "Necessities", "5912", 28.0, 0.7, 4.0, 0.10, 0.10),
    ("Utilities", "Necessities", "4900", 130.0, 0.4, 2.0, 0.70, 0.25),
    ("Telecommunications", "Necessities", "4814", 85.0, 0.3, 1.5, 0.70, 0.25),
    ("Insurance", "Necessities", "6300", 160.0, 0.4, 1.0, 0.75, 0.20),
    ("Healthcare Providers", "Necessities", "8062", 110.0, 0.8, 1.5, 0.20, 0.10),
    ("Childcare", "Necessities", "8351", 220.0, 0.5, 0.6, 0.40, 0.20),
    ("Public Transit", "Necessities", "4111", 12.0, 0.5, 3.0, 0.10, 0.50),
    ("Auto Repair", "Necessities", "7538", 260.0, 0.7, 0.8, 0.05, 0.05),
    ("Wholesale Clubs", "Necessities", "5300", 120.0, 0.6, 1.5, 0.15, 0.10),
    ("Home Supplies", "Necessities", "5200", 55.0, 0.7, 2.0, 0.30, 0.15),
    ("Discount Stores", "Necessities", "5310", 35.0, 0.6, 3.0, 0.20, 0.10),
    ("Convenience Stores", "Necessities", "5499", 14.0, 0.5, 4.0, 0.00, 0.20),
    ("Restaurants", "Discretionary", "5812", 48.0, 0.6, 8.0, 0.10, 0.20),
    ("Fast Food", "Discretionary", "5814", 14.0, 0.4, 7.0, 0.10, 0.40),
    ("Coffee Shops", "Discretionary", "5499", 7.0, 0.4, 6.0, 0.05, 0.45),
    ("Bars & Nightlife", "Discretionary", "5813", 38.0, 0.6, 2.5, 0.00, 0.20),
    ("Food Delivery", "Discretionary", "5811", 32.0, 0.4, 3.5, 0.40, 0.60),
    ("Entertainment", "Discretionary", "7832", 40.0, 0.6, 2.0, 0.45, 0.30),
    ("Streaming Services", "Discretionary", "4899", 15.0, 0.3, 2.5, 0.60, 0.40),
    ("Electronics", "Discretionary", "5732", 190.0, 0.9, 1.5, 0.55, 0.20),
    ("Clothing & Apparel", "Discretionary", "5651", 70.0, 0.7, 3.5, 0.45, 0.25),
    ("Department Stores", "Discretionary", "5311", 85.0, 0.7, 2.0, 0.35, 0.15),
    ("Home Improvement", "Discretionary", "5211", 95.0, 0.9, 1.5, 0.20, 0.10),
    ("Furniture", "Discretionary", "5712", 420.0, 0.8, 0.5, 0.45, 0.10),
    ("Sporting Goods", "Discretionary", "5941", 75.0, 0.8, 1.0, 0.40, 0.20),
    ("Books & Media", "Discretionary", "5942", 25.0, 0.5, 1.2, 0.60, 0.20),
    ("Jewelry", "Discretionary", "5944", 320.0, 1.0, 0.3, 0.35, 0.10),
    ("Video Games", "Discretionary", "5816", 35.0, 0.6, 1.2, 0.70, 0.25),
    ("Pet Supplies", "Discretionary", "5995", 45.0, 0.6, 1.2, 0.40, 0.20),
    ("Beauty & Personal Care", "Discretionary", "7230", 45.0, 0.6, 1.8, 0.25, 0.20),
    ("Online Marketplaces", "Discretionary", "5399", 55.0, 0.8, 5.0, 0.75, 0.25),
    ("Event Tickets", "Discretionary", "7922", 110.0, 0.7, 0.7, 0.70, 0.30),
    ("Gifts & Flowers", "Discretionary", "5992", 50.0, 0.6, 0.6, 0.50, 0.25),
    ("Hobbies & Crafts", "Discretionary", "5945", 35.0, 0.7, 0.8, 0.40, 0.15),
    ("Gyms & Fitness", "Services", "7997", 55.0, 0.4, 1.2, 0.50, 0.30),
    ("Education", "Services", "8299", 280.0, 0.8, 0.4, 0.70, 0.15),
    ("Professional Services", "Services", "8999", 210.0, 0.8, 0.6, 0.50, 0.10),
    ("Charities", "Services", "8398", 60.0, 0.8, 0.4, 0.70, 0.25),
    ("Software & Cloud", "Services", "5734", 30.0, 0.6, 1.2, 0.85, 0.10),
    ("Government Services", "Services", "9399", 90.0, 0.7, 0.5, 0.60, 0.15),
]

MERCHANT_WORDS = (
    "Summit Harbor Pioneer Liberty Evergreen Golden Maple Cedar Atlas Beacon Crescent "
    "Horizon Keystone Meridian Northstar Oakridge Prairie Redwood Silverline Sterling "
    "Trailhead Union Vista Willow Bayside Cobalt Delta Everest Frontier Granite"
).split()

MERCHANTS_PER_CATEGORY = 12
